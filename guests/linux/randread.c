/*
 * randread DEVICE COUNT: the 4 KiB random-read benchmark's guest program
 * (scripts/bench-disk.sh, docs/PERFORMANCE.md "Virtual disks").
 *
 * It opens DEVICE with O_DIRECT (so each read goes to the disk, not the
 * guest's page cache), reads COUNT blocks of 4 KiB at 4 KiB-aligned offsets
 * drawn from a fixed-seed xorshift generator (the same offsets on every run
 * and on both sides of the comparison), and prints one line:
 *   randread: N reads in U us, R reads/s
 * Any failure prints one line naming the step and the errno and exits 1.
 * One process doing every read is the point: busybox has no random-read
 * tool, and a dd per block would time fork and exec rather than the disk.
 *
 * A static AArch64 Linux program with no C library (the machine has the
 * cross compiler but no arm64 libc to link statically): its own _start and
 * raw system calls. The Linux arm64 ABI: the call number in x8, arguments
 * in x0-x5, `svc #0`, the result in x0, -errno (-4095 to -1) on failure
 * (Documentation/arch/arm64 and the syscall(2) manual, "Architecture
 * calling conventions"). At entry sp points at argc, then argv[] (the ELF
 * process start-up of the System V ABI, which Linux follows: execve(2),
 * fs/binfmt_elf.c create_elf_tables).
 */
#include <stdint.h>

/*
 * arm64 uses the generic system call table: the numbers are those of
 * include/uapi/asm-generic/unistd.h (__NR_openat 56, __NR3264_lseek 62,
 * __NR_write 64, __NR_pread64 67, __NR_exit 93, __NR_clock_gettime 113).
 */
#define NR_OPENAT 56
#define NR_LSEEK 62
#define NR_WRITE 64
#define NR_PREAD64 67
#define NR_EXIT 93
#define NR_CLOCK_GETTIME 113

/* include/uapi/linux/fcntl.h: AT_FDCWD; asm-generic/fcntl.h: O_RDONLY 0;
 * arch/arm64/include/uapi/asm/fcntl.h: O_DIRECT is 0200000 on arm64, not the
 * generic 040000 (there that bit is O_DIRECTORY). */
#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_DIRECT 0200000
/* include/uapi/linux/fs.h: SEEK_END; include/uapi/linux/time.h. */
#define SEEK_END 2
#define CLOCK_MONOTONIC 1

#define BLOCK 4096u
/* At most this many reads: COUNT * 1000000 (the rate's numerator) then fits
 * in 64 bits with room to spare. */
#define MAX_COUNT 100000000ull

struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

static unsigned char buf[BLOCK] __attribute__((aligned(BLOCK)));

static long sys3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

static long sys4(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory");
	return x0;
}

static __attribute__((noreturn)) void sys_exit(int code)
{
	sys3(NR_EXIT, code, 0, 0);
	for (;;)
		;
}

/* A line is built in one buffer and written with one write(2), so that the
 * console never shows half of it between another program's output. */
struct line {
	char s[160];
	unsigned int n;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->n < sizeof(l->s) - 1)
		l->s[l->n++] = *s++;
}

static void put_u64(struct line *l, uint64_t v)
{
	char d[20];
	int i = 0;

	do {
		d[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i > 0)
		put_str(l, (char[2]){d[--i], 0});
}

static void emit(struct line *l)
{
	l->s[l->n++] = '\n';
	/* Nothing useful is left to do when stdout fails: the exit status
	 * still says whether the run worked. */
	sys3(NR_WRITE, 1, (long)l->s, l->n);
}

/* fail WHAT ERR: "randread: WHAT: errno E" and exit 1. */
static __attribute__((noreturn)) void fail(const char *what, const char *arg, long err)
{
	struct line l;

	/* Set field by field: an initialiser could become a memset call,
	 * and there is no C library to provide one. */
	l.n = 0;
	put_str(&l, "randread: ");
	put_str(&l, what);
	if (arg) {
		put_str(&l, " ");
		put_str(&l, arg);
	}
	if (err) {
		put_str(&l, ": errno ");
		put_u64(&l, (uint64_t)-err);
	}
	emit(&l);
	sys_exit(1);
}

static int is_err(long r)
{
	return r < 0 && r >= -4095;
}

/* COUNT: decimal digits only, 1 to MAX_COUNT; 0 when it is not. */
static uint64_t parse_count(const char *s)
{
	uint64_t v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
		/* Checked at every digit, so v * 10 never overflows. */
		if (v > MAX_COUNT)
			return 0;
	}
	return v;
}

static uint64_t now_us(void)
{
	struct timespec64 t;
	long r = sys3(NR_CLOCK_GETTIME, CLOCK_MONOTONIC, (long)&t, 0);

	if (is_err(r))
		fail("clock_gettime", 0, r);
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000)
		fail("clock_gettime: time out of range", 0, 0);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* xorshift64 (Marsaglia, "Xorshift RNGs", J. Stat. Software 8(14), 2003,
 * the 13/7/17 triple): never 0 from a non-zero state. */
static uint64_t xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int randread_main(long argc, char **argv);

int randread_main(long argc, char **argv)
{
	if (argc != 3)
		fail("usage: randread DEVICE COUNT", 0, 0);
	const char *dev = argv[1];
	uint64_t count = parse_count(argv[2]);

	if (!count)
		fail("COUNT is not a number from 1 to 100000000:", argv[2], 0);

	long fd = sys4(NR_OPENAT, AT_FDCWD, (long)dev, O_RDONLY | O_DIRECT, 0);
	if (is_err(fd))
		fail("open", dev, fd);
	long size = sys3(NR_LSEEK, fd, 0, SEEK_END);
	if (is_err(size))
		fail("lseek SEEK_END on", dev, size);
	uint64_t blocks = (uint64_t)size / BLOCK;
	if (size < 0 || blocks == 0)
		fail("smaller than one 4 KiB block:", dev, 0);

	uint64_t x = 0x9e3779b97f4a7c15ull; /* any fixed non-zero seed */
	uint64_t t0 = now_us();
	for (uint64_t i = 0; i < count; i++) {
		/* offset < blocks * BLOCK <= size: no overflow. The modulo's
		 * bias is far below the figure's noise. */
		uint64_t off = (xorshift64(&x) % blocks) * BLOCK;
		long r = sys4(NR_PREAD64, fd, (long)buf, BLOCK, (long)off);

		if (is_err(r))
			fail("pread64", dev, r);
		if (r != BLOCK)
			fail("short read on", dev, 0);
	}
	uint64_t us = now_us() - t0;

	struct line l;
	l.n = 0;
	put_str(&l, "randread: ");
	put_u64(&l, count);
	put_str(&l, " reads in ");
	put_u64(&l, us);
	put_str(&l, " us, ");
	/* count <= MAX_COUNT, so count * 1000000 < 2^64. */
	put_u64(&l, count * 1000000u / (us ? us : 1));
	put_str(&l, " reads/s");
	emit(&l);
	return 0;
}

/* The entry point: argc at [sp], argv from sp + 8. The C code runs on the
 * same stack, which the kernel leaves 16-byte aligned as AAPCS64 asks. */
__asm__(".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov	x29, #0\n"
	"	mov	x30, #0\n"
	"	ldr	x0, [sp]\n"
	"	add	x1, sp, #8\n"
	"	bl	randread_main\n"
	"	mov	x8, #93\n" /* NR_EXIT, with main's result in x0 */
	"	svc	#0\n"
	"	b	.\n");
