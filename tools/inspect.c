/*
 * goro inspect FILE — may goro take this program over, and what will it miss?
 *
 * Reads the ELF file with libelf, without running it, and prints for CI:
 * whether LD_PRELOAD can reach it at all (x86-64 ELF64, dynamically linked
 * against glibc, not set-id or with file capabilities, which make the loader
 * ignore LD_PRELOAD), which of its imported threading and blocking symbols
 * libgoro.so interposes and which it does not (compared against libgoro.so's
 * own .dynsym, so the answer is what the library really exports), raw clone
 * and syscall use, and a count of syscall instructions in its own code, which
 * no interposition can see. The last line is the verdict:
 *
 *   verdict: compatible                       exit 0
 *   verdict: compatible with warnings (N)     exit 1
 *   verdict: not compatible: REASON           exit 2 (also: bad input, one line)
 *
 * Lists are sorted and the text carries no addresses or timings, so two runs
 * on the same files print the same bytes and CI can diff them.
 */
#include "tools/inspect.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define GLIBC_SONAME "libc.so.6"
#define GLIBC_LOADER "ld-linux-x86-64.so.2"
#define MAX_REASONS 8

/* ---- small utilities ---- */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "goro: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

struct strings {
	char **v;
	size_t n;
};

static void strings_add(struct strings *s, const char *str)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = xstrdup(str);
}

static bool strings_has(const struct strings *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- what the verdict is built from ---- */

struct verdict {
	const char *reasons[MAX_REASONS]; /* each makes it "not compatible" */
	int nreasons;
	int warnings;
};

static void not_compatible(struct verdict *v, const char *reason)
{
	if (v->nreasons < MAX_REASONS)
		v->reasons[v->nreasons++] = reason;
}

static int print_verdict(const struct verdict *v)
{
	if (v->nreasons) {
		fputs("verdict: not compatible: ", stdout);
		for (int i = 0; i < v->nreasons; i++)
			printf("%s%s", i ? "; " : "", v->reasons[i]);
		putchar('\n');
		return 2;
	}
	if (v->warnings) {
		printf("verdict: compatible with warnings (%d)\n", v->warnings);
		return 1;
	}
	puts("verdict: compatible");
	return 0;
}

/* ---- reading an ELF file ---- */

struct elf_file {
	int fd;
	Elf *elf;
};

static bool elf_open(struct elf_file *f, const char *path)
{
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return false;
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF) {
		if (f->elf)
			elf_end(f->elf);
		close(f->fd);
		return false;
	}
	return true;
}

static void elf_close(struct elf_file *f)
{
	elf_end(f->elf);
	close(f->fd);
}

static bool is_x86_64_elf64(Elf *elf)
{
	GElf_Ehdr eh;
	return gelf_getehdr(elf, &eh) && eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64;
}

static Elf_Scn *section_of_type(Elf *elf, GElf_Word type, GElf_Shdr *sh)
{
	for (Elf_Scn *s = elf_nextscn(elf, NULL); s; s = elf_nextscn(elf, s))
		if (gelf_getshdr(s, sh) && sh->sh_type == type)
			return s;
	return NULL;
}

/* The dynamic section's entries that matter here. */
struct dynamic_info {
	bool present;
	struct strings needed; /* in DT_NEEDED order */
	char *soname;
	char *runpath;         /* DT_RUNPATH, else DT_RPATH */
	bool pie_flag;         /* DF_1_PIE */
};

static void read_dynamic(Elf *elf, struct dynamic_info *d)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section_of_type(elf, SHT_DYNAMIC, &sh);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data)
		return;
	d->present = true;
	char *rpath = NULL;
	for (size_t i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		const char *str = NULL;
		if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME || dyn.d_tag == DT_RPATH || dyn.d_tag == DT_RUNPATH)
			str = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
		if (dyn.d_tag == DT_NEEDED && str)
			strings_add(&d->needed, str);
		else if (dyn.d_tag == DT_SONAME && str)
			d->soname = xstrdup(str);
		else if (dyn.d_tag == DT_RUNPATH && str)
			d->runpath = xstrdup(str);
		else if (dyn.d_tag == DT_RPATH && str)
			rpath = xstrdup(str);
		else if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_PIE))
			d->pie_flag = true;
	}
	if (!d->runpath)
		d->runpath = rpath;
	else
		free(rpath);
}

/* PT_INTERP's path, or NULL. */
static char *read_interpreter(Elf *elf)
{
	size_t n, size;
	if (elf_getphdrnum(elf, &n))
		return NULL;
	const char *raw = elf_rawfile(elf, &size);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP && raw &&
		    ph.p_offset < size && ph.p_filesz <= size - ph.p_offset)
			return strndup(raw + ph.p_offset, ph.p_filesz);
	}
	return NULL;
}

/* ---- symbols ---- */

/* Version index (from .gnu.version) -> name (from .gnu.version_r). */
struct versions {
	GElf_Half *index;
	char **name;
	size_t n;
	char *newest_glibc;   /* highest GLIBC_x.y the file asks libc.so.6 for */
};

static void version_add(struct versions *v, GElf_Half index, const char *name)
{
	v->index = xrealloc(v->index, (v->n + 1) * sizeof *v->index);
	v->name = xrealloc(v->name, (v->n + 1) * sizeof *v->name);
	v->index[v->n] = index;
	v->name[v->n++] = xstrdup(name);
}

static const char *version_name(const struct versions *v, GElf_Half index)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->index[i] == index)
			return v->name[i];
	return NULL;
}

static void note_glibc_version(struct versions *v, const char *file, const char *name)
{
	if (strcmp(file, GLIBC_SONAME) || strncmp(name, "GLIBC_", 6) || name[6] < '0' || name[6] > '9')
		return;
	if (!v->newest_glibc || strverscmp(name, v->newest_glibc) > 0) {
		free(v->newest_glibc);
		v->newest_glibc = xstrdup(name);
	}
}

static void read_versions(Elf *elf, struct versions *v)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section_of_type(elf, SHT_GNU_verneed, &sh);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data)
		return;
	size_t off = 0;
	for (GElf_Word i = 0; i < sh.sh_info; i++) {
		GElf_Verneed need;
		if (!gelf_getverneed(data, (int)off, &need))
			return;
		const char *file = elf_strptr(elf, sh.sh_link, need.vn_file);
		size_t aux_off = off + need.vn_aux;
		for (GElf_Half j = 0; j < need.vn_cnt; j++) {
			GElf_Vernaux aux;
			if (!gelf_getvernaux(data, (int)aux_off, &aux))
				return;
			const char *name = elf_strptr(elf, sh.sh_link, aux.vna_name);
			if (name) {
				version_add(v, aux.vna_other, name);
				if (file)
					note_glibc_version(v, file, name);
			}
			aux_off += aux.vna_next;
		}
		if (!need.vn_next)
			break;
		off += need.vn_next;
	}
}

/* Calls fn for every dynamic symbol that is defined (want_defined) or
 * imported (!want_defined), with its version name or NULL. */
static void for_each_dynamic_symbol(Elf *elf, bool want_defined, const struct versions *versions,
				    void (*fn)(const char *name, const char *version, void *arg), void *arg)
{
	GElf_Shdr sh, vsh;
	Elf_Scn *scn = section_of_type(elf, SHT_DYNSYM, &sh);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data || !sh.sh_entsize)
		return;
	Elf_Scn *vscn = section_of_type(elf, SHT_GNU_versym, &vsh);
	Elf_Data *vdata = vscn ? elf_getdata(vscn, NULL) : NULL;
	for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		int bind = GELF_ST_BIND(sym.st_info), type = GELF_ST_TYPE(sym.st_info);
		bool defined = sym.st_shndx != SHN_UNDEF;
		if (defined != want_defined || (bind != STB_GLOBAL && bind != STB_WEAK) ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		GElf_Versym vs = 0;
		const char *version = NULL;
		if (vdata && versions && gelf_getversym(vdata, (int)i, &vs))
			version = version_name(versions, vs & 0x7fff);
		fn(name, version, arg);
	}
}

/* ---- libgoro.so's exports ---- */

static void collect_name(const char *name, const char *version, void *arg)
{
	strings_add(arg, name);
}

/* Sorted names libgoro.so defines in its .dynsym; false if it cannot be read. */
static bool read_library_exports(const char *path, struct strings *exports)
{
	struct elf_file lib;
	if (!path || !elf_open(&lib, path))
		return false;
	for_each_dynamic_symbol(lib.elf, true, NULL, collect_name, exports);
	elf_close(&lib);
	qsort(exports->v, exports->n, sizeof *exports->v, compare_strings);
	return exports->n > 0;
}

static bool library_exports(const struct strings *exports, const char *name)
{
	return bsearch(&name, exports->v, exports->n, sizeof *exports->v, compare_strings) != NULL;
}

/* ---- the program's imports, classified ---- */

struct import {
	char *label;            /* name@version, or name */
	char *name;
	const struct symbol_group *group;
	enum severity sev;
	bool interposed;
};

struct imports {
	struct import *v;
	size_t n;
	const struct strings *exports;
};

static void classify_import(const char *name, const char *version, void *arg)
{
	struct imports *im = arg;
	enum severity sev = SEV_FINE;
	const struct symbol_group *group = symbol_rule(name, &sev);
	bool interposed = library_exports(im->exports, name);
	if (!group && !interposed)
		return;
	size_t len = strlen(name) + (version ? strlen(version) + 1 : 0) + 1;
	char *label = xrealloc(NULL, len);
	snprintf(label, len, "%s%s%s", name, version ? "@" : "", version ? version : "");
	im->v = xrealloc(im->v, (im->n + 1) * sizeof *im->v);
	im->v[im->n++] = (struct import){label, xstrdup(name), group, sev, interposed};
}

static int compare_imports(const void *a, const void *b)
{
	return strcmp(((const struct import *)a)->label, ((const struct import *)b)->label);
}

enum import_kind { INTERPOSED, NEEDS_NOTHING, NOT_INTERPOSED };

static enum import_kind kind_of(const struct import *i)
{
	if (i->interposed)
		return INTERPOSED;
	return i->sev == SEV_FINE ? NEEDS_NOTHING : NOT_INTERPOSED;
}

static void print_import_list(const struct imports *im, enum import_kind kind, const char *title)
{
	size_t count = 0;
	for (size_t i = 0; i < im->n; i++)
		count += kind_of(&im->v[i]) == kind;
	printf("%s (%zu):\n", title, count);
	for (size_t i = 0; i < im->n; i++) {
		const struct import *imp = &im->v[i];
		if (kind_of(imp) != kind)
			continue;
		if (kind == INTERPOSED)
			printf("  %s\n", imp->label);
		else
			printf("  %-34s %s\n", imp->label, imp->group->tag);
	}
}

static bool imports_name(const struct imports *im, const char *name, bool interposed)
{
	for (size_t i = 0; i < im->n; i++)
		if (!strcmp(im->v[i].name, name) && im->v[i].interposed == interposed)
			return true;
	return false;
}

static int compare_group_tags(const void *a, const void *b)
{
	return strcmp((*(const struct symbol_group *const *)a)->tag, (*(const struct symbol_group *const *)b)->tag);
}

/* The groups of the imports goro does not interpose, once each, by tag. */
static size_t uninterposed_groups(const struct imports *im, const struct symbol_group **groups, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < im->n; i++) {
		const struct symbol_group *g = im->v[i].group;
		bool known = false;
		for (size_t j = 0; j < n; j++)
			known |= groups[j] == g;
		if (kind_of(&im->v[i]) == NOT_INTERPOSED && !known && n < max)
			groups[n++] = g;
	}
	qsort(groups, n, sizeof *groups, compare_group_tags);
	return n;
}

/* A group is as serious as its most serious import. */
static enum severity group_severity(const struct imports *im, const struct symbol_group *g)
{
	enum severity worst = SEV_FINE;
	for (size_t i = 0; i < im->n; i++)
		if (kind_of(&im->v[i]) == NOT_INTERPOSED && im->v[i].group == g && im->v[i].sev > worst)
			worst = im->v[i].sev;
	return worst;
}

/* One line per group of imports goro does not interpose whose severity is
 * sev: "warning: TAG (SYMBOLS): MESSAGE", or "note: ...". */
static void print_group_findings(const struct imports *im, enum severity sev, struct verdict *v)
{
	const struct symbol_group *groups[64];
	size_t n = uninterposed_groups(im, groups, sizeof groups / sizeof groups[0]);
	for (size_t g = 0; g < n; g++) {
		if (group_severity(im, groups[g]) != sev)
			continue;
		printf("%s: %s (", sev == SEV_WARNING ? "warning" : "note", groups[g]->tag);
		const char *sep = "";
		for (size_t i = 0; i < im->n; i++)
			if (kind_of(&im->v[i]) == NOT_INTERPOSED && im->v[i].group == groups[g]) {
				printf("%s%s", sep, im->v[i].name);
				sep = " ";
			}
		printf("): %s\n", groups[g]->message);
		v->warnings += sev == SEV_WARNING;
	}
}

/* ---- raw system calls in the file's own code ---- */

/* Whether the bytes 0f 05 at p[i] are more likely part of a small rel32 or
 * disp32 (a call, a jump, a rip-relative address) than a syscall instruction:
 * they follow a call, jmp or jcc opcode, or the bytes around them make a
 * small offset (?? 0f 05 00, 0f 05 ?? 00, ...), which as the code after a
 * syscall would be `add %al,(%rax)` and the like. The code after a syscall
 * that does look so (cmp $-4095,%eax: 3d 01 f0 ff ff; mov $0x..00,%reg) is
 * let through. */
static bool looks_like_offset(const unsigned char *p, size_t i, size_t size)
{
	if (i >= 1 && (p[i - 1] == 0xe8 || p[i - 1] == 0xe9))
		return true;
	if (i >= 2 && p[i - 2] == 0x0f && (p[i - 1] & 0xf0) == 0x80)
		return true;
	if (i + 2 >= size)
		return false;
	unsigned char next = p[i + 2], after = i + 3 < size ? p[i + 3] : 0x90;
	if (next == 0x00 || next == 0xff)
		return true;
	if (after == 0x00)
		return next != 0x3d && (next < 0xb8 || next > 0xbf);
	return after == 0xff && next >= 0xf0;
}

/* Likely `syscall` instructions (0f 05) in executable sections. A byte
 * search, not a disassembly: an estimate, the pair may sit inside a longer
 * instruction that looks_like_offset does not recognise. */
static unsigned long count_syscall_instructions(Elf *elf)
{
	unsigned long count = 0;
	for (Elf_Scn *s = elf_nextscn(elf, NULL); s; s = elf_nextscn(elf, s)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		for (Elf_Data *d = elf_getdata(s, NULL); d; d = elf_getdata(s, d)) {
			const unsigned char *p = d->d_buf;
			for (size_t i = 0; p && i + 1 < d->d_size; i++)
				count += p[i] == 0x0f && p[i + 1] == 0x05 && !looks_like_offset(p, i, d->d_size);
		}
	}
	return count;
}

/* ---- finding libc.so.6 through the dependencies ---- */

struct search_path {
	struct strings dirs;
};

static void add_dirs(struct search_path *sp, const char *list, const char *origin)
{
	char *copy = xstrdup(list);
	for (char *save, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char buf[PATH_MAX];
		if (!strncmp(dir, "$ORIGIN", 7) || !strncmp(dir, "${ORIGIN}", 9)) {
			snprintf(buf, sizeof buf, "%s%s", origin, dir + (dir[1] == '{' ? 9 : 7));
			dir = buf;
		}
		if (!strings_has(&sp->dirs, dir))
			strings_add(&sp->dirs, dir);
	}
	free(copy);
}

/* /etc/ld.so.conf and the files it includes (globs), as ldconfig reads them. */
static void add_ld_so_conf(struct search_path *sp, const char *path, int depth)
{
	FILE *f = depth < 4 ? fopen(path, "re") : NULL;
	if (!f)
		return;
	char line[PATH_MAX];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "#\n")] = 0;
		char *word = line + strspn(line, " \t");
		char *rest = word + strcspn(word, " \t");
		if (*rest)
			*rest++ = 0;
		rest += strspn(rest, " \t");
		rest[strcspn(rest, " \t")] = 0;
		if (!strcmp(word, "include") && *rest) {
			glob_t g;
			if (!glob(rest, 0, NULL, &g))
				for (size_t i = 0; i < g.gl_pathc; i++)
					add_ld_so_conf(sp, g.gl_pathv[i], depth + 1);
			globfree(&g);
		} else if (*word == '/') {
			add_dirs(sp, word, "");
		}
	}
	fclose(f);
}

/* Where the loader would look for an x86-64 object's dependencies:
 * its RPATH/RUNPATH, LD_LIBRARY_PATH, ld.so.conf, the default directories. */
static void build_search_path(struct search_path *sp, const char *runpath, const char *origin)
{
	if (runpath)
		add_dirs(sp, runpath, origin);
	const char *env = getenv("LD_LIBRARY_PATH");
	if (env)
		add_dirs(sp, env, origin);
	add_ld_so_conf(sp, "/etc/ld.so.conf", 0);
	add_dirs(sp, "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib", origin);
}

static bool open_x86_64_elf(const char *path, struct elf_file *f)
{
	if (!elf_open(f, path))
		return false;
	if (is_x86_64_elf64(f->elf))
		return true;
	elf_close(f);
	return false;
}

/* Opens the first x86-64 ELF64 file called name in the search path (a name
 * with a slash is a path, as for the loader). */
static bool find_library(const struct search_path *sp, const char *name, struct elf_file *f)
{
	if (strchr(name, '/'))
		return open_x86_64_elf(name, f);
	for (size_t i = 0; i < sp->dirs.n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", sp->dirs.v[i], name);
		if (open_x86_64_elf(path, f))
			return true;
	}
	return false;
}

struct dependency_walk {
	const struct search_path *sp;
	struct strings seen;
	struct strings missing;
};

/* Whether libc.so.6 is among name's dependencies, recursively. */
static bool reaches_glibc(struct dependency_walk *w, const char *name)
{
	if (!strcmp(name, GLIBC_SONAME))
		return true;
	if (strings_has(&w->seen, name) || w->seen.n > 512)
		return false;
	strings_add(&w->seen, name);
	struct elf_file f;
	if (!find_library(w->sp, name, &f)) {
		strings_add(&w->missing, name);
		return false;
	}
	struct dynamic_info d = {0};
	read_dynamic(f.elf, &d);
	elf_close(&f);
	for (size_t i = 0; i < d.needed.n; i++)
		if (reaches_glibc(w, d.needed.v[i]))
			return true;
	return false;
}

/* ---- the report, part by part ---- */

static const char *file_kind(const GElf_Ehdr *eh, const char *interp, const struct dynamic_info *d)
{
	switch (eh->e_type) {
	case ET_REL:
		return "relocatable object";
	case ET_CORE:
		return "core dump";
	case ET_EXEC:
		return interp ? "dynamic executable" : "static executable";
	case ET_DYN:
		if (interp)
			return d->pie_flag ? "dynamic executable (PIE)" : "shared object with an interpreter (PIE executable or runnable library)";
		if (d->pie_flag)
			return "static-pie executable";
		return d->present ? "shared object" : "shared object without a dynamic section";
	default:
		return "unknown ELF type";
	}
}

static bool is_part_of_glibc(const struct dynamic_info *d)
{
	return d->soname && (!strcmp(d->soname, GLIBC_SONAME) || !strcmp(d->soname, GLIBC_LOADER));
}

/* Format and loader: can LD_PRELOAD reach this file at all? False if not. */
static bool check_format(const GElf_Ehdr *eh, const char *interp, const struct dynamic_info *d, struct verdict *v)
{
	printf("format: ELF%d %s, %s\n", eh->e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32,
	       eh->e_machine == EM_X86_64 ? "x86-64" : eh->e_machine == EM_386 ? "i386" : "not x86-64",
	       file_kind(eh, interp, d));
	printf("interpreter: %s\n", interp ? interp : "none");
	int before = v->nreasons;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		not_compatible(v, "not an x86-64 ELF64 file");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		not_compatible(v, "not a program or shared object");
	else if (!d->present || (!interp && (eh->e_type == ET_EXEC || d->pie_flag)))
		not_compatible(v, "statically linked: no dynamic loader, so LD_PRELOAD has no effect");
	else if (interp && strcmp(strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp, GLIBC_LOADER))
		not_compatible(v, "its interpreter is not glibc's dynamic loader");
	return v->nreasons == before;
}

/* The directory a file is in, absolute where possible: the loader's $ORIGIN. */
static void origin_of(const char *path, char *origin, size_t size)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = 0;
	if (!realpath(dir, origin))
		snprintf(origin, size, "%s", dir);
}

/* Linked against glibc, directly or through its dependencies? */
static void check_glibc(const char *path, const struct dynamic_info *d, const struct versions *vers,
			bool dynamic, struct verdict *v)
{
	fputs("needs:", stdout);
	for (size_t i = 0; i < d->needed.n; i++)
		printf(" %s", d->needed.v[i]);
	puts(d->needed.n ? "" : " nothing");
	if (!dynamic) {
		puts("glibc: not looked for (not a dynamically linked x86-64 file)");
		return;
	}
	if (is_part_of_glibc(d)) {
		printf("glibc: it is glibc's own %s\n", d->soname);
		not_compatible(v, "part of glibc itself");
		return;
	}
	if (strings_has(&d->needed, GLIBC_SONAME)) {
		printf("glibc: %s, needed directly; symbol versions up to %s\n", GLIBC_SONAME,
		       vers->newest_glibc ? vers->newest_glibc : "none");
		return;
	}
	char origin[PATH_MAX];
	origin_of(path, origin, sizeof origin);
	struct search_path sp = {0};
	build_search_path(&sp, d->runpath, origin);
	struct dependency_walk w = {&sp, {0}, {0}};
	for (size_t i = 0; i < d->needed.n; i++)
		if (reaches_glibc(&w, d->needed.v[i])) {
			printf("glibc: %s, through %s\n", GLIBC_SONAME, d->needed.v[i]);
			return;
		}
	if (w.missing.n) {
		printf("glibc: unknown, not found: ");
		for (size_t i = 0; i < w.missing.n; i++)
			printf("%s%s", i ? " " : "", w.missing.v[i]);
		putchar('\n');
		puts("warning: cannot tell whether it links glibc: some of its libraries were not found");
		v->warnings++;
		return;
	}
	puts("glibc: not linked against it");
	not_compatible(v, "not linked against glibc");
}

/* Set-user/group-ID or file capabilities: the loader runs it in secure mode. */
static void check_secure_mode(const char *path, const struct stat *st, struct verdict *v)
{
	bool setuid = st->st_mode & S_ISUID;
	bool setgid = (st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP);
	bool caps = getxattr(path, "security.capability", NULL, 0) > 0;
	printf("set-id: %s\n", setuid && setgid ? "setuid and setgid" : setuid ? "setuid" : setgid ? "setgid" : "no");
	printf("file capabilities: %s\n", caps ? "yes" : "no");
	if (setuid || setgid)
		not_compatible(v, setuid ? "setuid: the loader ignores LD_PRELOAD when another user runs it"
				: "setgid: the loader ignores LD_PRELOAD when a user outside its group runs it");
	if (caps)
		not_compatible(v, "file capabilities: the loader ignores LD_PRELOAD for it");
}

static void check_imports(Elf *elf, const struct versions *vers, const struct strings *exports, struct verdict *v)
{
	struct imports im = {NULL, 0, exports};
	for_each_dynamic_symbol(elf, false, vers, classify_import, &im);
	qsort(im.v, im.n, sizeof *im.v, compare_imports);
	print_import_list(&im, INTERPOSED, "imports goro interposes");
	print_import_list(&im, NEEDS_NOTHING, "imports that need no interposition");
	print_import_list(&im, NOT_INTERPOSED, "imports goro does not interpose");

	unsigned long raw = count_syscall_instructions(elf);
	printf("syscall instructions in its own code: %lu\n", raw);

	print_group_findings(&im, SEV_WARNING, v);
	if (raw) {
		printf("warning: %lu possible syscall instruction%s (bytes 0f 05) in its own code: raw system calls goro cannot see\n",
		       raw, raw == 1 ? "" : "s");
		v->warnings++;
	}
	print_group_findings(&im, SEV_NOTE, v);
	if (imports_name(&im, "syscall", true))
		puts("note: goro's syscall() takes over private FUTEX_WAIT/WAKE (and their bitset forms) only: "
		     "other futex operations and other raw calls go to the kernel and block the OS thread");
}

/* Not ELF: a script or something else; either way goro has nothing to take over. */
static int report_not_elf(int fd, struct verdict *v)
{
	char head[256] = {0};
	ssize_t n = pread(fd, head, sizeof head - 1, 0);
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		char *interp = head + 2 + strspn(head + 2, " \t");
		interp[strcspn(interp, " \t\r\n")] = 0;
		printf("format: script (#!%s)\n", interp);
		not_compatible(v, "a script, not an ELF program (goro run would take over its interpreter: inspect that instead)");
	} else {
		puts("format: not an ELF file");
		not_compatible(v, "not an ELF file");
	}
	return print_verdict(v);
}

static int report_elf(const char *path, Elf *elf, const struct stat *st, const char *library_path,
		      const struct strings *exports)
{
	struct verdict v = {0};
	GElf_Ehdr eh;
	if (!gelf_getehdr(elf, &eh)) {
		puts("format: damaged ELF header");
		not_compatible(&v, "damaged ELF file");
		return print_verdict(&v);
	}
	char *interp = read_interpreter(elf);
	struct dynamic_info dyn = {0};
	struct versions vers = {0};
	read_dynamic(elf, &dyn);
	read_versions(elf, &vers);

	bool dynamic = check_format(&eh, interp, &dyn, &v);
	check_glibc(path, &dyn, &vers, dynamic, &v);
	check_secure_mode(path, st, &v);
	printf("goro library: %s (%zu symbols)\n", library_path, exports->n);
	if (dynamic)
		check_imports(elf, &vers, exports, &v);
	else
		puts("imports: not looked at (not a dynamically linked x86-64 file)");
	return print_verdict(&v);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "goro: %s%s%s%s (usage: goro inspect [--] FILE)\n", what, arg ? " '" : "", arg ? arg : "",
		arg ? "'" : "");
	return 2;
}

int inspect_main(int argc, char **argv, const char *library_path)
{
	int i = 0;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	else if (i < argc && argv[i][0] == '-' && argv[i][1])
		return usage_error("unknown inspect option", argv[i]);
	if (argc - i != 1)
		return usage_error(argc - i ? "inspect takes one file" : "no file to inspect", NULL);
	const char *path = argv[i];

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "goro: cannot read %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "goro: cannot inspect %s: not a regular file\n", path);
		return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "goro: libelf is unusable: %s\n", elf_errmsg(-1));
		return 2;
	}
	struct strings exports = {0};
	if (!read_library_exports(library_path, &exports)) {
		fprintf(stderr, "goro: cannot read libgoro.so's symbols at %s (set GORO_LIB to its path)\n",
			library_path ? library_path : "?");
		return 2;
	}

	printf("file: %s\n", path);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		struct verdict v = {0};
		return report_not_elf(fd, &v);
	}
	return report_elf(path, elf, &st, library_path, &exports);
}
