# The hypervisor's sources that also build for the host (-DHOST_BUILD) and
# are unit-tested there (tests/unit/hyp/): the device table, the device
# models, the backdoor protocol, the pseudo-NMI rules; and the trap
# handlers, on the host double of the arch layer (arch/fake/sysreg.h): the
# DCC trap and MDSCR_EL1 shadow, BRK reflection, the MMIO access decode,
# the list-register filling; and the GUID partition table reader. The
# Makefile archives them as build/host/hyp-host.a.
TESTABLE_hyp := hyp/drivers/console_escape.c hyp/vdev/mmio_table.c hyp/vdev/vgic_model.c \
	hyp/vdev/pl011_model.c hyp/vdev/timer_model.c hyp/vdev/guest_dt.c \
	hyp/backdoor/protocol.c hyp/pnmi/prio.c hyp/pnmi/lockup.c \
	hyp/pnmi/backtrace.c hyp/pnmi/symtab.c \
	hyp/sysregs.c hyp/traps_inject.c hyp/backdoor/brk_debug.c hyp/vdev/mmio.c hyp/vdev/vgic.c hyp/sched/runqueue.c
# The machine's disk driver's request cutting and split-ring driver side.
TESTABLE_hyp += hyp/drivers/disk_req.c hyp/drivers/virtq_drv.c
# The virtio devices the VMs get: the split ring's device side, the
# virtio-mmio transport, the block device.
TESTABLE_hyp += hyp/virtio/virtq.c hyp/virtio/mmio_dev.c hyp/virtio/blk.c
# The console device.
TESTABLE_hyp += hyp/virtio/console.c
# The datastore's partition table; RAM disks' claims and copies.
TESTABLE_hyp += hyp/disk/gpt.c hyp/disk/ramdisk.c
