/* Not a benchmark: writes N MiB of fixed pseudo-random English-like text (same bytes on
 * every machine) to stdout, the input the pigz and zstd rows of the harness compress.
 * Words come from a small vocabulary with a skewed distribution, so it compresses about
 * as well as prose (gzip -6 to roughly a third).
 *   gen_text MIB > file */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {
	"the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
	"by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
	"an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has",
	"there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "thread",
	"scheduler", "memory", "stack", "mutex", "condition", "variable", "socket", "kernel",
	"process", "signal", "queue", "worker", "request", "server", "client", "buffer", "page",
	"time", "number", "system", "program", "library", "function", "value", "result", "error",
	"before", "after", "between", "through", "during", "without", "again", "further", "then",
	"once", "here", "why", "how", "both", "each", "few", "most", "other", "some", "such",
	"only", "own", "same", "than", "too", "very", "just", "should", "now", "running", "blocked",
	"waiting", "ready", "parked", "woken", "created", "joined", "detached", "exited",
};

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)	/* xorshift64* */
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0;
	if (mib < 1) {
		fprintf(stderr, "usage: %s MIB > file\n", argv[0]);
		return 2;
	}
	const size_t nw = sizeof words / sizeof words[0];
	static char buf[1 << 16];
	long long left = mib * 1048576LL;
	size_t len = 0, col = 0;
	while (left > 0) {
		uint64_t r = next();
		/* min of two draws: low indexes (common words) come up more often */
		size_t a = r % nw, b = (r >> 32) % nw;
		const char *w = words[a < b ? a : b];
		size_t wl = strlen(w);
		if (len + wl + 2 > sizeof buf || (long long)(len + wl + 2) > left) {
			size_t out = len < (size_t)left ? len : (size_t)left;
			if (out == 0) {	/* the last few bytes: pad with spaces */
				out = (size_t)left;
				memset(buf, ' ', out);
			}
			if (fwrite(buf, 1, out, stdout) != out)
				return 1;
			left -= out;
			len = 0;
			continue;
		}
		memcpy(buf + len, w, wl);
		len += wl;
		col += wl + 1;
		if ((r >> 59) == 0)	/* one word in 32 ends a sentence */
			buf[len++] = '.';
		if (col > 72) {
			buf[len++] = '\n';
			col = 0;
		} else {
			buf[len++] = ' ';
		}
	}
	return fflush(stdout) ? 1 : 0;
}
