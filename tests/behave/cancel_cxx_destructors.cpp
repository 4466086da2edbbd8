// Cancellation unwinds a C++ thread's stack: destructors of its objects run,
// catch (...) sees the unwinding and may rethrow it, thread_local
// destructors run, and join returns PTHREAD_CANCELED; also when the thread
// was stopped asynchronously in the middle of a loop. pthread_exit unwinds
// the same way.
#include <pthread.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static std::string events;
static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static int pipefd[2];
static volatile int blocked;

static void note(const char *s)
{
	pthread_mutex_lock(&events_lock);
	events += s;
	events += ' ';
	pthread_mutex_unlock(&events_lock);
}

struct Guard {
	const char *name;
	explicit Guard(const char *n) : name(n) {}
	~Guard() { note(name); }
};

struct PerThread {
	~PerThread() { note("thread_local"); }
};
static thread_local PerThread per_thread;

static void inner(int how)
{
	Guard g("inner");
	try {
		Guard g2("in-try");
		if (how == 0) {
			blocked = 1;
			char c;
			if (read(pipefd[0], &c, 1) >= 0)
				note("read returned");
		} else {
			pthread_exit(reinterpret_cast<void *>(7));
		}
	} catch (...) {
		note("catch-rethrow");
		throw;
	}
}

static volatile unsigned long spins;

// Asynchronous cancellation: the unwind starts wherever the loop was
// stopped. The loop has no objects of its own (C++ cannot run destructors
// from an arbitrary instruction, only from call sites): its caller's do.
__attribute__((noinline)) static void spin_forever()
{
	for (;;)
		spins++;
}

static void (*volatile spin_fn)() = spin_forever;   // a call the compiler cannot prove never throws

static void spin()
{
	Guard g("spinning");
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, nullptr);
	blocked = 1;
	spin_fn();
}

static void *worker(void *arg)
{
	(void)&per_thread;
	Guard g("outer");
	int how = static_cast<int>(reinterpret_cast<long>(arg));
	if (how == 2)
		spin();
	else
		inner(how);
	return nullptr;
}

static void on_alarm(int)
{
	static const char msg[] = "timed out (hang?)\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(3);
}

int main()
{
	signal(SIGALRM, on_alarm);
	alarm(20);
	if (pipe(pipefd) != 0)
		return 1;
	static const char *const what[] = {"cancelled in read", "pthread_exit", "cancelled spinning (asynchronous)"};
	for (int how = 0; how < 3; how++) {
		events.clear();
		blocked = 0;
		pthread_t t;
		pthread_create(&t, nullptr, worker, reinterpret_cast<void *>(static_cast<long>(how)));
		if (how != 1) {
			while (!blocked)
				usleep(1000);
			usleep(20000);
			pthread_cancel(t);
		}
		void *result;
		int rc = pthread_join(t, &result);
		std::printf("%s: join %d, %s, events: %s\n", what[how], rc,
			    result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : result == reinterpret_cast<void *>(7) ? "7" : "?",
			    events.c_str());
	}
	return 0;
}
