/*
 * The test guests' stacks, one per vCPU by MPIDR Aff0 (guests/rt/start.S)
 * in the space the linker script reserves (guests/rt/guest.ld.S): as many
 * as a VM may have vCPUs, so a guest can start every one it is given.
 */
#ifndef GUEST_STACKS_H
#define GUEST_STACKS_H

#define GUEST_STACKS 16
#define GUEST_STACK_SIZE 0x4000

#endif
