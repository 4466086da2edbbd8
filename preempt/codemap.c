/*
 * The map of loaded code, for the preemption handler's one question: may a
 * thread interrupted at this PC be stopped here (invariant 3)?
 *
 * Not in libc, ld.so, libstdc++, libgcc_s or libm: their internal locks are
 * raw futexes, and a thread stopped while holding one would block the next
 * thread that wants it, on the same OS thread, for good. Not in libgoro:
 * the runtime may be halfway through a run-queue update. Not in the vDSO:
 * it holds no lock, but the runtime reads the clock through it. The program
 * and its own libraries are safe; code the map does not know (loaded by
 * libc itself, behind dlopen's back: NSS modules, gconv) is not.
 *
 * Libraries are recognised by their DT_SONAME, read from the file with
 * libelf (a path may be a symlink, a copy or a versioned name), falling back
 * to the file name. The map is built with dl_iterate_phdr at start-up and
 * after every dlopen/dlclose; the signal handler reads it without locks, so
 * a new map is published with one pointer swap and the old one is unmapped
 * only once no handler still reads it.
 *
 * Rejected: classifying by symbol (which functions take locks) — libc has
 * thousands and changes with every release; reading /proc/self/maps in the
 * handler — not async-signal-safe and far too slow.
 */
#include "preempt/internal.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>

struct region {
	uintptr_t lo, hi;
	bool safe;
};

struct codemap {
	size_t mapped_size;
	size_t capacity;
	size_t n;                    /* every object's code, sorted by lo */
	struct region runtime;
	struct region code[];
};

static struct codemap *_Atomic current;
static _Atomic int readers;      /* handlers looking at `current` */
static _Atomic int building;
static unsigned long long built_adds = ~0ULL, built_subs;   /* ld.so's load and unload counters */

static const char *const unsafe_names[] = {
	"libc.so", "ld-linux", "libstdc++.so", "libgcc_s.so", "libm.so", "libpthread.so", "libdl.so",
	"librt.so", "libelf.so", NULL,
};

/* DT_SONAME of the file at path, or "" */
static void soname_of(const char *path, char *out, size_t size)
{
	out[0] = 0;
	int fd = (int)SYS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	for (Elf_Scn *scn = NULL; elf && (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNAMIC)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		GElf_Dyn dyn;
		for (int i = 0; data && gelf_getdyn(data, i, &dyn); i++) {
			if (dyn.d_tag != DT_SONAME)
				continue;
			const char *name = elf_strptr(elf, shdr.sh_link, dyn.d_un.d_val);
			if (name)
				snprintf(out, size, "%s", name);
			break;
		}
		break;
	}
	if (elf)
		elf_end(elf);
	SYS1(SYS_close, fd);
}

static bool unsafe_library(const struct dl_phdr_info *info)
{
	const char *path = info->dlpi_name;
	/* The vDSO holds no lock, but the runtime itself reads the clock through
	 * it: a G stopped there might be inside goro. */
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && info->dlpi_phdr[i].p_offset == 0 &&
		    info->dlpi_addr + info->dlpi_phdr[i].p_vaddr == getauxval(AT_SYSINFO_EHDR))
			return true;
	if (!path || !path[0])
		return false;   /* the executable */
	char name[256];
	soname_of(path, name, sizeof name);
	if (!name[0]) {
		const char *slash = strrchr(path, '/');
		snprintf(name, sizeof name, "%s", slash ? slash + 1 : path);
	}
	for (const char *const *u = unsafe_names; *u; u++)
		if (strncmp(name, *u, strlen(*u)) == 0)
			return true;
	return false;
}

struct walk {
	struct codemap *map;         /* NULL: count only */
	size_t count;
	unsigned long long adds, subs;
};

static int read_counters(struct dl_phdr_info *info, size_t size, void *arg)
{
	unsigned long long *c = arg;
	c[0] = info->dlpi_adds;
	c[1] = info->dlpi_subs;
	return 1;
}

static int walk_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	w->adds = info->dlpi_adds;
	w->subs = info->dlpi_subs;
	uintptr_t self = (uintptr_t)codemap_build;
	bool is_runtime = false, unsafe = false, classified = false;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (self >= lo && self < hi)
			is_runtime = true;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (is_runtime) {
			if (w->map)
				w->map->runtime = (struct region){lo, hi, false};
			continue;
		}
		if (!classified && w->map) {
			unsafe = unsafe_library(info);
			classified = true;
		}
		if (!w->map)
			w->count++;
		else if (w->map->n < w->map->capacity)
			w->map->code[w->map->n++] = (struct region){lo, hi, !unsafe};
	}
	return 0;
}

static void sort_regions(struct codemap *map)
{
	for (size_t i = 1; i < map->n; i++) {
		struct region r = map->code[i];
		size_t j = i;
		for (; j > 0 && map->code[j - 1].lo > r.lo; j--)
			map->code[j] = map->code[j - 1];
		map->code[j] = r;
	}
}

/* Called at start-up and after dlopen/dlclose (never from a handler). */
int codemap_build(void)
{
	int expected = 0;
	while (!atomic_compare_exchange_weak(&building, &expected, 1)) {
		expected = 0;
		SYS0(SYS_sched_yield);
	}
	elf_version(EV_CURRENT);
	struct walk w = {0};
	dl_iterate_phdr(walk_object, &w);
	size_t size = sizeof(struct codemap) + (w.count + 8) * sizeof(struct region);
	struct codemap *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		atomic_store(&building, 0);
		return -1;
	}
	map->mapped_size = size;
	map->capacity = w.count + 8;
	w.map = map;
	dl_iterate_phdr(walk_object, &w);   /* an object loaded in between is caught by the next refresh */
	sort_regions(map);
	built_adds = w.adds;
	built_subs = w.subs;
	struct codemap *old = atomic_exchange(&current, map);
	while (atomic_load(&readers) > 0)
		SYS0(SYS_sched_yield);
	if (old)
		munmap(old, old->mapped_size);
	atomic_store(&building, 0);
	return 0;
}

static bool in_region(const struct region *r, uintptr_t pc)
{
	return pc >= r->lo && pc < r->hi;
}

void codemap_runtime_region(uintptr_t *lo, uintptr_t *hi)
{
	atomic_fetch_add(&readers, 1);
	struct codemap *map = atomic_load(&current);
	*lo = map ? map->runtime.lo : 0;
	*hi = map ? map->runtime.hi : 0;
	atomic_fetch_sub(&readers, 1);
}

bool codemap_is_runtime(uintptr_t pc)
{
	uintptr_t lo, hi;
	codemap_runtime_region(&lo, &hi);
	return pc >= lo && pc < hi;
}

/* Safe only in code known to be safe: code the map does not know (a library
 * libc loaded behind dlopen's back, an NSS module say) is not. */
bool codemap_is_safe(uintptr_t pc)
{
	atomic_fetch_add(&readers, 1);
	struct codemap *map = atomic_load(&current);
	bool safe = false;
	if (map && !in_region(&map->runtime, pc)) {
		size_t lo = 0, hi = map->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (pc < map->code[mid].lo)
				hi = mid;
			else if (pc >= map->code[mid].hi)
				lo = mid + 1;
			else {
				safe = map->code[mid].safe;
				break;
			}
		}
	}
	atomic_fetch_sub(&readers, 1);
	return safe;
}

void preempt_codemap_refresh(void)
{
	unsigned long long c[2] = {0, 0};
	if (!atomic_load(&current))
		return;
	dl_iterate_phdr(read_counters, c);
	if (c[0] != built_adds || c[1] != built_subs)
		codemap_build();
}
