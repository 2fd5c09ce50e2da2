/* Compiler attributes every program uses, named once. */
#ifndef ARCH_COMPILER_H
#define ARCH_COMPILER_H

#define __noreturn __attribute__((noreturn))

#endif
