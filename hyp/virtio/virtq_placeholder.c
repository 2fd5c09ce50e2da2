/*
 * Placeholder definitions of the two hyp/virtio/virtq.h functions the
 * virtio-mmio transport (hyp/virtio/mmio_dev.c) calls, so that the
 * hypervisor links before hyp/virtio/virtq.c arrives. Weak: virtq.c's
 * definitions replace them when both are linked. Delete this file when
 * virtq.c is merged. They refuse every queue, so a device built on them
 * never touches guest memory.
 */
#include <hyp/virtio/virtq.h>

__attribute__((weak)) enum virtq_err
virtq_start(struct virtq *q, const struct guest_ram *ram, uint32_t max)
{
	(void)ram;
	(void)max;
	q->ready = false;
	return VIRTQ_E_NOT_READY;
}

__attribute__((weak)) void virtq_reset(struct virtq *q)
{
	*q = (struct virtq){0};
}
