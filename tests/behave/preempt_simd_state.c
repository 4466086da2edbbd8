/*
 * A thread doing vector arithmetic in every SIMD register the CPU has
 * (zmm0-31 with AVX-512, else ymm0-15), with a non-default rounding mode,
 * checks every result while two other threads, doing the same with other
 * values, compete for the CPU. Each
 * round adds to every register many times inside one asm block, so a
 * switch that lost or mixed up any register, MXCSR or the x87 control word
 * shows as a wrong sum. It runs until the other threads have run in between
 * its rounds 10,000 times (under goro with one processor: 10,000
 * preemptions in the middle of the arithmetic).
 */
// goro-test: goro-env=GORO_PREEMPT_MS=0.1 timeout=120
#define _GNU_SOURCE
#include <fenv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define ITERATIONS 2000
#define WANTED 10000
static atomic_ulong others_progress;
static atomic_int stop;

__attribute__((target("avx512f"))) static void round_avx512(const uint64_t *in, uint64_t *out)
{
	static const uint64_t one = 1;
	asm volatile(
		"vmovdqu64 0(%[in]), %%zmm0\n"
		"vmovdqu64 64(%[in]), %%zmm1\n"
		"vmovdqu64 128(%[in]), %%zmm2\n"
		"vmovdqu64 192(%[in]), %%zmm3\n"
		"vmovdqu64 256(%[in]), %%zmm4\n"
		"vmovdqu64 320(%[in]), %%zmm5\n"
		"vmovdqu64 384(%[in]), %%zmm6\n"
		"vmovdqu64 448(%[in]), %%zmm7\n"
		"vmovdqu64 512(%[in]), %%zmm8\n"
		"vmovdqu64 576(%[in]), %%zmm9\n"
		"vmovdqu64 640(%[in]), %%zmm10\n"
		"vmovdqu64 704(%[in]), %%zmm11\n"
		"vmovdqu64 768(%[in]), %%zmm12\n"
		"vmovdqu64 832(%[in]), %%zmm13\n"
		"vmovdqu64 896(%[in]), %%zmm14\n"
		"vmovdqu64 960(%[in]), %%zmm15\n"
		"vmovdqu64 1024(%[in]), %%zmm16\n"
		"vmovdqu64 1088(%[in]), %%zmm17\n"
		"vmovdqu64 1152(%[in]), %%zmm18\n"
		"vmovdqu64 1216(%[in]), %%zmm19\n"
		"vmovdqu64 1280(%[in]), %%zmm20\n"
		"vmovdqu64 1344(%[in]), %%zmm21\n"
		"vmovdqu64 1408(%[in]), %%zmm22\n"
		"vmovdqu64 1472(%[in]), %%zmm23\n"
		"vmovdqu64 1536(%[in]), %%zmm24\n"
		"vmovdqu64 1600(%[in]), %%zmm25\n"
		"vmovdqu64 1664(%[in]), %%zmm26\n"
		"vmovdqu64 1728(%[in]), %%zmm27\n"
		"vmovdqu64 1792(%[in]), %%zmm28\n"
		"vmovdqu64 1856(%[in]), %%zmm29\n"
		"vmovdqu64 1920(%[in]), %%zmm30\n"
		"vmovdqu64 1984(%[in]), %%zmm31\n"
		"movq %[k], %%rcx\n"
		"1:\n"
		"vpaddq (%[one])%{1to8%}, %%zmm0, %%zmm0\n"
		"vpaddq (%[one])%{1to8%}, %%zmm1, %%zmm1\n"
		"vpaddq (%[one])%{1to8%}, %%zmm2, %%zmm2\n"
		"vpaddq (%[one])%{1to8%}, %%zmm3, %%zmm3\n"
		"vpaddq (%[one])%{1to8%}, %%zmm4, %%zmm4\n"
		"vpaddq (%[one])%{1to8%}, %%zmm5, %%zmm5\n"
		"vpaddq (%[one])%{1to8%}, %%zmm6, %%zmm6\n"
		"vpaddq (%[one])%{1to8%}, %%zmm7, %%zmm7\n"
		"vpaddq (%[one])%{1to8%}, %%zmm8, %%zmm8\n"
		"vpaddq (%[one])%{1to8%}, %%zmm9, %%zmm9\n"
		"vpaddq (%[one])%{1to8%}, %%zmm10, %%zmm10\n"
		"vpaddq (%[one])%{1to8%}, %%zmm11, %%zmm11\n"
		"vpaddq (%[one])%{1to8%}, %%zmm12, %%zmm12\n"
		"vpaddq (%[one])%{1to8%}, %%zmm13, %%zmm13\n"
		"vpaddq (%[one])%{1to8%}, %%zmm14, %%zmm14\n"
		"vpaddq (%[one])%{1to8%}, %%zmm15, %%zmm15\n"
		"vpaddq (%[one])%{1to8%}, %%zmm16, %%zmm16\n"
		"vpaddq (%[one])%{1to8%}, %%zmm17, %%zmm17\n"
		"vpaddq (%[one])%{1to8%}, %%zmm18, %%zmm18\n"
		"vpaddq (%[one])%{1to8%}, %%zmm19, %%zmm19\n"
		"vpaddq (%[one])%{1to8%}, %%zmm20, %%zmm20\n"
		"vpaddq (%[one])%{1to8%}, %%zmm21, %%zmm21\n"
		"vpaddq (%[one])%{1to8%}, %%zmm22, %%zmm22\n"
		"vpaddq (%[one])%{1to8%}, %%zmm23, %%zmm23\n"
		"vpaddq (%[one])%{1to8%}, %%zmm24, %%zmm24\n"
		"vpaddq (%[one])%{1to8%}, %%zmm25, %%zmm25\n"
		"vpaddq (%[one])%{1to8%}, %%zmm26, %%zmm26\n"
		"vpaddq (%[one])%{1to8%}, %%zmm27, %%zmm27\n"
		"vpaddq (%[one])%{1to8%}, %%zmm28, %%zmm28\n"
		"vpaddq (%[one])%{1to8%}, %%zmm29, %%zmm29\n"
		"vpaddq (%[one])%{1to8%}, %%zmm30, %%zmm30\n"
		"vpaddq (%[one])%{1to8%}, %%zmm31, %%zmm31\n"
		"decq %%rcx\n"
		"jnz 1b\n"
		"vmovdqu64 %%zmm0, 0(%[out])\n"
		"vmovdqu64 %%zmm1, 64(%[out])\n"
		"vmovdqu64 %%zmm2, 128(%[out])\n"
		"vmovdqu64 %%zmm3, 192(%[out])\n"
		"vmovdqu64 %%zmm4, 256(%[out])\n"
		"vmovdqu64 %%zmm5, 320(%[out])\n"
		"vmovdqu64 %%zmm6, 384(%[out])\n"
		"vmovdqu64 %%zmm7, 448(%[out])\n"
		"vmovdqu64 %%zmm8, 512(%[out])\n"
		"vmovdqu64 %%zmm9, 576(%[out])\n"
		"vmovdqu64 %%zmm10, 640(%[out])\n"
		"vmovdqu64 %%zmm11, 704(%[out])\n"
		"vmovdqu64 %%zmm12, 768(%[out])\n"
		"vmovdqu64 %%zmm13, 832(%[out])\n"
		"vmovdqu64 %%zmm14, 896(%[out])\n"
		"vmovdqu64 %%zmm15, 960(%[out])\n"
		"vmovdqu64 %%zmm16, 1024(%[out])\n"
		"vmovdqu64 %%zmm17, 1088(%[out])\n"
		"vmovdqu64 %%zmm18, 1152(%[out])\n"
		"vmovdqu64 %%zmm19, 1216(%[out])\n"
		"vmovdqu64 %%zmm20, 1280(%[out])\n"
		"vmovdqu64 %%zmm21, 1344(%[out])\n"
		"vmovdqu64 %%zmm22, 1408(%[out])\n"
		"vmovdqu64 %%zmm23, 1472(%[out])\n"
		"vmovdqu64 %%zmm24, 1536(%[out])\n"
		"vmovdqu64 %%zmm25, 1600(%[out])\n"
		"vmovdqu64 %%zmm26, 1664(%[out])\n"
		"vmovdqu64 %%zmm27, 1728(%[out])\n"
		"vmovdqu64 %%zmm28, 1792(%[out])\n"
		"vmovdqu64 %%zmm29, 1856(%[out])\n"
		"vmovdqu64 %%zmm30, 1920(%[out])\n"
		"vmovdqu64 %%zmm31, 1984(%[out])\n"
		:
		: [in] "r"(in), [out] "r"(out), [one] "r"(&one), [k] "i"(ITERATIONS)
		: "rcx", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
}

__attribute__((target("avx2"))) static void round_avx2(const uint64_t *in, uint64_t *out)
{
	asm volatile(
		"vmovdqu 0(%[in]), %%ymm0\n"
		"vmovdqu 32(%[in]), %%ymm1\n"
		"vmovdqu 64(%[in]), %%ymm2\n"
		"vmovdqu 96(%[in]), %%ymm3\n"
		"vmovdqu 128(%[in]), %%ymm4\n"
		"vmovdqu 160(%[in]), %%ymm5\n"
		"vmovdqu 192(%[in]), %%ymm6\n"
		"vmovdqu 224(%[in]), %%ymm7\n"
		"vmovdqu 256(%[in]), %%ymm8\n"
		"vmovdqu 288(%[in]), %%ymm9\n"
		"vmovdqu 320(%[in]), %%ymm10\n"
		"vmovdqu 352(%[in]), %%ymm11\n"
		"vmovdqu 384(%[in]), %%ymm12\n"
		"vmovdqu 416(%[in]), %%ymm13\n"
		"vmovdqu 448(%[in]), %%ymm14\n"
		"vmovdqu 480(%[in]), %%ymm15\n"
		"movq %[k], %%rcx\n"
		"1:\n"
		"vpaddq %%ymm15, %%ymm0, %%ymm0\n"
		"vpaddq %%ymm15, %%ymm1, %%ymm1\n"
		"vpaddq %%ymm15, %%ymm2, %%ymm2\n"
		"vpaddq %%ymm15, %%ymm3, %%ymm3\n"
		"vpaddq %%ymm15, %%ymm4, %%ymm4\n"
		"vpaddq %%ymm15, %%ymm5, %%ymm5\n"
		"vpaddq %%ymm15, %%ymm6, %%ymm6\n"
		"vpaddq %%ymm15, %%ymm7, %%ymm7\n"
		"vpaddq %%ymm15, %%ymm8, %%ymm8\n"
		"vpaddq %%ymm15, %%ymm9, %%ymm9\n"
		"vpaddq %%ymm15, %%ymm10, %%ymm10\n"
		"vpaddq %%ymm15, %%ymm11, %%ymm11\n"
		"vpaddq %%ymm15, %%ymm12, %%ymm12\n"
		"vpaddq %%ymm15, %%ymm13, %%ymm13\n"
		"vpaddq %%ymm15, %%ymm14, %%ymm14\n"
		"decq %%rcx\n"
		"jnz 1b\n"
		"vmovdqu %%ymm0, 0(%[out])\n"
		"vmovdqu %%ymm1, 32(%[out])\n"
		"vmovdqu %%ymm2, 64(%[out])\n"
		"vmovdqu %%ymm3, 96(%[out])\n"
		"vmovdqu %%ymm4, 128(%[out])\n"
		"vmovdqu %%ymm5, 160(%[out])\n"
		"vmovdqu %%ymm6, 192(%[out])\n"
		"vmovdqu %%ymm7, 224(%[out])\n"
		"vmovdqu %%ymm8, 256(%[out])\n"
		"vmovdqu %%ymm9, 288(%[out])\n"
		"vmovdqu %%ymm10, 320(%[out])\n"
		"vmovdqu %%ymm11, 352(%[out])\n"
		"vmovdqu %%ymm12, 384(%[out])\n"
		"vmovdqu %%ymm13, 416(%[out])\n"
		"vmovdqu %%ymm14, 448(%[out])\n"
		"vmovdqu %%ymm15, 480(%[out])\n"
		:
		: [in] "r"(in), [out] "r"(out), [k] "i"(ITERATIONS)
		: "rcx", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* The competing threads fill every vector register with their own values. */
static void *other(void *arg)
{
	static uint64_t junk_in[32 * 8], junk_out[32 * 8];
	bool avx512 = __builtin_cpu_supports("avx512f");
	for (int i = 0; i < 32 * 8; i++)
		junk_in[i] = 0xdeadbeefULL * (uint64_t)(i + 7);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (avx512)
			round_avx512(junk_in, junk_out);
		else
			round_avx2(junk_in, junk_out);
		atomic_fetch_add_explicit(&others_progress, 1, memory_order_relaxed);
	}
	return NULL;
}

static const char *simd_kind;

static void *simd(void *arg)
{
	bool avx512 = __builtin_cpu_supports("avx512f");
	int words = avx512 ? 32 * 8 : 16 * 4;
	static uint64_t in[32 * 8], out[32 * 8], want[32 * 8];
	uint64_t step[32 * 8];
	for (int i = 0; i < words; i++)
		in[i] = 0x0101010101010101ULL * (uint64_t)(i + 1);
	/* AVX2: ymm15 holds the increment (1 in each lane); it is the last register loaded */
	for (int i = 0; i < words; i++)
		step[i] = avx512 ? ITERATIONS : (i >= 15 * 4 ? 0 : ITERATIONS);
	if (!avx512)
		for (int i = 15 * 4; i < 16 * 4; i++)
			in[i] = 1;
	simd_kind = avx512 ? "AVX-512" : "AVX2";
	fesetround(FE_TOWARDZERO);
	volatile double three = 3.0;
	volatile long double three_l = 3.0L;
	double third = 1.0 / three;
	long double third_l = 1.0L / three_l;
	long rounds = 0, interleaved = 0, bad = 0;
	unsigned long seen = atomic_load(&others_progress);
	double give_up = mono() + 60;
	while (interleaved < WANTED && mono() < give_up) {
		if (avx512)
			round_avx512(in, out);
		else
			round_avx2(in, out);
		for (int i = 0; i < words; i++)
			want[i] = in[i] + step[i];
		if (memcmp(out, want, words * sizeof out[0]) != 0)
			bad++;
		if (fegetround() != FE_TOWARDZERO || 1.0 / three != third || 1.0L / three_l != third_l)
			bad++;
		rounds++;
		unsigned long now = atomic_load_explicit(&others_progress, memory_order_relaxed);
		if (now != seen)
			interleaved++;
		seen = now;
	}
	if (bad)
		fprintf(stderr, "%ld of %ld rounds wrong\n", bad, rounds);
	fprintf(stderr, "%ld rounds, %ld interleaved\n", rounds, interleaved);
	printf("every SIMD register, MXCSR and x87 control word intact in every round: %s\n", bad ? "no" : "yes");
	printf("other threads ran between rounds at least %d times: %s\n", WANTED, interleaved >= WANTED ? "yes" : "no");
	return NULL;
}

int main(void)
{
	pthread_t t[3];
	if (start_threads(t, 1, 3, other) != 0 || pthread_create(&t[0], NULL, simd, NULL) != 0)
		return 1;
	pthread_join(t[0], NULL);
	atomic_store(&stop, 1);
	pthread_join(t[1], NULL);
	pthread_join(t[2], NULL);
	fprintf(stderr, "registers checked: %s\n", simd_kind);
	return 0;
}
