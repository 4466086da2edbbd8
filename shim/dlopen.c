/*
 * dlopen of a library with initial-exec TLS (DF_STATIC_TLS) while threads
 * exist. glibc copies the new module's TLS image into the static TLS area of
 * the threads it knows (_dl_init_static_tls walks NPTL's thread lists); Gs are
 * not on those lists, so without this their copy stays zero
 * (../shared/glibc-tls.md §6.3). After the real dlopen, each newly seen TLS
 * module that landed in static TLS has its image copied into every live G.
 *
 * Interposing dlopen changes the caller glibc sees, and glibc searches the
 * caller's RPATH/RUNPATH for a bare file name. So a bare name is resolved
 * here first against the search path of the object that called us
 * (dlinfo RTLD_DI_SERINFO), and glibc is given the path it would have found.
 * Rejected: hooking the debugger breakpoint (_dl_debug_state): glibc calls it
 * before relocation, when static TLS is not assigned yet.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__tls_get_addr(void *ti);

#define MAX_TLS_MODULES 1024
static bool module_seen[MAX_TLS_MODULES];   /* by TLS module id; guarded by fixup_lock */
static _Atomic int fixup_lock;

struct static_image {
	const char *image;
	size_t filesz, memsz;
	size_t offset;   /* thread pointer - block */
};

static void copy_image(struct g *g, void *arg)
{
	const struct static_image *m = arg;
	if (g->is_main || atomic_load(&g->status) == G_DEAD)
		return;   /* glibc initialised the main thread's copy itself */
	char *block = (char *)g->tcb - m->offset;
	memcpy(block, m->image, m->filesz);
	memset(block + m->filesz, 0, m->memsz - m->filesz);
}

static int fix_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	size_t modid = info->dlpi_tls_modid;
	if (!modid || modid >= MAX_TLS_MODULES || module_seen[modid])
		return 0;
	module_seen[modid] = true;
	tcb_dtv_note_module(modid);   /* before __tls_get_addr may grow this thread's DTV */
	if (!*(bool *)arg)
		return 0;   /* start-up: those modules are in every TCB's image already */
	const ElfW(Phdr) *tls = NULL;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_TLS)
			tls = &info->dlpi_phdr[i];
	if (!tls)
		return 0;
	size_t ti[2] = {modid, 0};
	char *tp = tcb_current();
	char *block = __tls_get_addr(ti);
	size_t offset = (size_t)(tp - block);
	if (block >= tp || offset > tls_layout.static_size)
		return 0;   /* dynamic TLS: allocated lazily per thread, nothing to do */
	struct static_image m = {(const char *)(info->dlpi_addr + tls->p_vaddr), tls->p_filesz, tls->p_memsz, offset};
	g_for_each(copy_image, &m);
	return 0;
}

static void fix_static_tls(bool after_dlopen)
{
	while (atomic_exchange(&fixup_lock, 1))
		sched_yield();
	dl_iterate_phdr(fix_module, &after_dlopen);
	atomic_store(&fixup_lock, 0);
}

void dlopen_note_startup_modules(void)
{
	fix_static_tls(false);
}

/* The path glibc would find for a bare name searched from the caller's object. */
static const char *resolve_for_caller(const char *file, const void *caller, char *buf, size_t len)
{
	if (!file || strchr(file, '/'))
		return file;
	Dl_info info;
	struct link_map *map = NULL;
	if (!dladdr1(caller, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
		return file;
	Dl_serinfo probe;
	if (dlinfo(map, RTLD_DI_SERINFOSIZE, &probe) != 0 || probe.dls_size > 65536)
		return file;
	char storage[probe.dls_size] __attribute__((aligned(16)));
	Dl_serinfo *si = (Dl_serinfo *)storage;
	memcpy(si, &probe, sizeof probe);
	if (dlinfo(map, RTLD_DI_SERINFO, si) != 0)
		return file;
	for (unsigned i = 0; i < si->dls_cnt; i++) {
		if (snprintf(buf, len, "%s/%s", si->dls_serpath[i].dls_name, file) >= (int)len)
			continue;
		if (access(buf, F_OK) == 0)
			return buf;
	}
	return file;   /* not on the caller's path: glibc's cache and defaults decide */
}

static int mark_present(struct dl_phdr_info *info, size_t size, void *arg)
{
	bool *present = arg;
	if (info->dlpi_tls_modid && info->dlpi_tls_modid < MAX_TLS_MODULES)
		present[info->dlpi_tls_modid] = true;
	return 0;
}

/* A module id freed by dlclose may come back with the next dlopen. */
EXPORT int dlclose(void *handle)
{
	static int (*real_dlclose)(void *);
	if (!real_dlclose)
		real_dlclose = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
	struct g *g = g_current();
	if (g)
		g->nopreempt++;
	atomic_fetch_add(&dlopen_in_progress, 1);
	int r = real_dlclose(handle);
	atomic_fetch_sub(&dlopen_in_progress, 1);
	if (g)
		g->nopreempt--;
	if (sched_active) {
		static bool present[MAX_TLS_MODULES];
		while (atomic_exchange(&fixup_lock, 1))
			sched_yield();
		memset(present, 0, sizeof present);
		dl_iterate_phdr(mark_present, present);
		for (size_t i = 0; i < MAX_TLS_MODULES; i++)
			module_seen[i] = module_seen[i] && present[i];
		atomic_store(&fixup_lock, 0);
		preempt_codemap_refresh();
	}
	return r;
}

EXPORT void *dlopen(const char *file, int mode)
{
	static void *(*real_dlopen)(const char *, int);
	if (!real_dlopen)
		real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	char path[4096];
	const char *name = sched_active ? resolve_for_caller(file, __builtin_return_address(0), path, sizeof path)
					: file;
	struct g *g = g_current();
	if (g) {
		g->nopreempt++;   /* constructors run under ld.so's lock: never stopped there */
		/* the constructors may touch the TLS of more modules than a DTV in a
		 * slot holds, and glibc would then realloc it (stack/tcb.c) */
		tcb_dtv_move_out(tcb_current());
	}
	atomic_fetch_add(&dlopen_in_progress, 1);
	void *handle = real_dlopen(name, mode);
	atomic_fetch_sub(&dlopen_in_progress, 1);
	if (g)
		g->nopreempt--;
	if (handle && sched_active) {
		fix_static_tls(true);
		preempt_codemap_refresh();
	}
	return handle;
}
