/*
 * A compact symbol table for turning code addresses into "name+0x1c", as
 * scripts/mksymtab.sh writes it from an ELF's text symbols and the build
 * links it into the hypervisor (hyp_symtab_start .. hyp_symtab_end).
 *
 * Layout, little-endian, the table 8-byte aligned:
 *
 *   struct symtab_header                 magic, count, strtab_size, reserved
 *   struct symtab_entry[count]           sorted by addr (equal addrs allowed)
 *   char strtab[strtab_size]             NUL-terminated names; the last byte
 *                                        is NUL whenever count > 0
 *
 * followed by any padding. The table is read as untrusted input: anything
 * malformed makes every lookup fail, and nothing outside table_bytes is read.
 */
#ifndef LIB_SYMTAB_H
#define LIB_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYMTAB_MAGIC 0x4d595348u /* "HSYM" as bytes in memory */

struct symtab_header {
	uint32_t magic;
	uint32_t count;	      /* entries */
	uint32_t strtab_size; /* bytes of names after the entries */
	uint32_t reserved;    /* zero */
};

struct symtab_entry {
	uint64_t addr;
	uint32_t size;	      /* bytes; 0: unknown, up to the next higher symbol */
	uint32_t name_offset; /* into the string table */
};

/* Whether table[0..table_bytes) is a well-formed table: 8-byte aligned, right
 * magic, zero reserved field, entries and names inside table_bytes, names
 * terminated, entries sorted. Linear in the number of entries. */
bool symtab_valid(const void *table, size_t table_bytes);

/*
 * Finds the symbol containing addr: the last entry e with e.addr <= addr,
 * when addr < e.addr + e.size, or, for e.size == 0, when a higher entry
 * follows (a size-0 last entry has no end and matches nothing). Sets *name
 * and *offset (addr - e.addr; either pointer may be NULL) and returns true;
 * returns false, leaving them alone, when no symbol contains addr or the table
 * is not symtab_valid() (checked on every call: lookups are for crash reports,
 * where a wrong name is worse than a slow one).
 */
bool symtab_lookup(const void *table, size_t table_bytes, uint64_t addr,
		   const char **name, uint64_t *offset);

/*
 * Writes "name+0x1c" for addr, or "0x" and its hex digits when no symbol
 * contains it, into buf[0..n), NUL-terminated when n > 0. Returns the length
 * the whole text has, as snprintf does.
 */
int symtab_format(char *buf, size_t n, const void *table, size_t table_bytes,
		  uint64_t addr);

#endif
