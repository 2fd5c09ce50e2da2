/* SMC and HVC calls under the SMC Calling Convention (Arm DEN 0028). */
#ifndef ARCH_SMCCC_H
#define ARCH_SMCCC_H

#include <stdint.h>

#define DEFINE_SMCCC_CALL(name, insn)                                                    \
	static inline uint64_t name(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3) \
	{                                                                                \
		register uint64_t x0 __asm__("x0") = fid;                                \
		register uint64_t x1 __asm__("x1") = a1;                                 \
		register uint64_t x2 __asm__("x2") = a2;                                 \
		register uint64_t x3 __asm__("x3") = a3;                                 \
		__asm__ volatile(insn " #0"                                              \
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)                \
				 :                                                       \
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",     \
				   "x12", "x13", "x14", "x15", "x16", "x17", "memory");  \
		return x0;                                                               \
	}

DEFINE_SMCCC_CALL(smc_call, "smc")
DEFINE_SMCCC_CALL(hvc_call, "hvc")

#endif
