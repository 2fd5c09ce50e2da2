/*
 * libFuzzer target for the vGIC register model (hyp/vdev/vgic_model.c): a sequence of
 * guest MMIO reads and writes of every size at every offset of the
 * distributor and redistributor frames (aimed at the registers most of the
 * time), interrupt lines going up and down, SGIs, and the hypervisor's
 * side: asking vgic_next() what to deliver, putting it in one of four
 * list registers per vCPU, and reading them back with any pending/active
 * state. What must hold after every step:
 * - an interrupt's bit in the ready sets is set exactly when it is
 *   pending, enabled, not active and not in a list register (the
 *   delivery search looks nowhere else);
 * - vgic_next() answers what a scan of every INTID's state answers (the
 *   highest priority, then lowest INTID, of the forwardable ones), or
 *   spurious while the redistributor sleeps; vgic_pending_mask() agrees;
 *   what vgic_next() names can be delivered;
 * - the model's in_lr flags are exactly the harness's list registers;
 * - per-IRQ fields stay in their ranges (flags 0/1, routes to a vCPU
 *   that exists or to none);
 * and nothing is accessed outside the struct vgic (allocated at its exact
 * size, ASan).
 *
 * fuzz-libs: hyp/vdev/vgic_model.c
 */
#include <lib/gicv3.h>
#include <hyp/vdev/vgic_model.h>

#include "fuzz.h"

#define NR_LRS 4
#define GRP0 GICD_CTLR_EnableGrp0 /* DS = 1 */
#define GRP1 GICD_CTLR_EnableGrp1
#define NR_INTIDS (VGIC_FIRST_SPI + VGIC_NR_SPIS)

static uint32_t lr[VGIC_MAX_VCPUS][NR_LRS];
static unsigned nr_lr[VGIC_MAX_VCPUS];

static const uint32_t dist_regs[] = {
	0x0000, 0x0004, 0x0008, 0x0080, 0x0100, 0x0180, 0x0200, 0x0280,
	0x0300, 0x0380, 0x0400, 0x0c00, 0x0d00, 0x0e00, 0x6100, 0xffe8,
};
static const uint32_t rd_regs[] = {0x0000, 0x0004, 0x0008, 0x0014, 0xffe8, 0x0010};
static const uint32_t sgi_regs[] = {0x0080, 0x0100, 0x0180, 0x0200, 0x0280, 0x0300,
				    0x0380, 0x0400, 0x0c00, 0x0c04, 0x0d00, 0x0e00};

static struct vgic_irq *irq_of(struct vgic *g, unsigned v, uint32_t intid)
{
	return intid < VGIC_NR_PRIVATE ? &g->vcpu[v].private_irqs[intid]
				       : &g->spis[intid - VGIC_FIRST_SPI];
}

static bool pending(const struct vgic_irq *q)
{
	return q->pending_latch || q->lr_pending || (!q->config_edge && q->level);
}

/* What vgic_next() should say, from every INTID's state. */
static uint32_t reference(struct vgic *g, unsigned v, const uint32_t *skip, unsigned n)
{
	uint32_t found = VGIC_SPURIOUS;
	unsigned best = 256;

	for (uint32_t id = 0; id < NR_INTIDS; id++) {
		const struct vgic_irq *q = irq_of(g, v, id);
		bool listed = false;

		for (unsigned i = 0; i < n; i++)
			listed |= skip[i] == id;
		if (listed || (id >= VGIC_FIRST_SPI && q->target_vcpu != v) ||
		    !q->enabled || q->active || q->in_lr || !pending(q) ||
		    !(g->ctlr & (q->group ? GRP1 : GRP0)))
			continue;
		if (q->priority < best) {
			best = q->priority;
			found = id;
		}
	}
	return found;
}

static void check(struct vgic *g)
{
	unsigned nv = g->nr_vcpus;
	uint32_t mask = 0;

	FUZZ_CHECK(nv >= 1 && nv <= VGIC_MAX_VCPUS, "nr_vcpus %u", nv);
	for (unsigned v = 0; v < nv; v++) {
		for (uint32_t id = 0; id < NR_INTIDS; id++) {
			const struct vgic_irq *q = irq_of(g, v, id);
			uint32_t word =
				id < VGIC_NR_PRIVATE
					? g->vcpu[v].ready
					: g->ready_spis[(id - VGIC_FIRST_SPI) / 32];
			bool ready = q->enabled && !q->active && !q->in_lr && pending(q);
			bool listed = false;

			if (id >= VGIC_FIRST_SPI && v)
				continue; /* shared: checked once */
			FUZZ_CHECK(q->group <= 1 && q->enabled <= 1 &&
					   q->pending_latch <= 1 && q->level <= 1 &&
					   q->active <= 1 && q->config_edge <= 1 &&
					   q->in_lr <= 1 && q->lr_pending <= 1,
				   "INTID %u flags", id);
			FUZZ_CHECK(id < VGIC_FIRST_SPI || q->target_vcpu < nv ||
					   q->target_vcpu == VGIC_NO_VCPU,
				   "INTID %u routed to vCPU %u", id, q->target_vcpu);
			FUZZ_CHECK(ready == (word >> (id % 32) & 1),
				   "INTID %u (vCPU %u) %s the ready set", id, v,
				   ready ? "ready but not in" : "in, not ready,");
			FUZZ_CHECK(!q->lr_pending || q->in_lr,
				   "INTID %u LR-pending outside an LR", id);
			if (q->in_lr) {
				unsigned lv = q->lr_vcpu;

				FUZZ_CHECK(lv < nv && (id >= VGIC_FIRST_SPI || lv == v),
					   "INTID %u in an LR of vCPU %u", id, lv);
				for (unsigned i = 0; i < nr_lr[lv]; i++)
					listed |= lr[lv][i] == id;
				FUZZ_CHECK(listed,
					   "INTID %u in_lr but in no list register", id);
			}
		}
		for (unsigned i = 0; i < nr_lr[v]; i++) {
			const struct vgic_irq *q = irq_of(g, v, lr[v][i]);

			FUZZ_CHECK(q->in_lr && q->lr_vcpu == v,
				   "INTID %u in a list register of vCPU %u, the model "
				   "lost it",
				   lr[v][i], v);
		}
		if (reference(g, v, NULL, 0) != VGIC_SPURIOUS)
			mask |= 1u << v;
	}
	FUZZ_CHECK(vgic_pending_mask(g) == mask, "pending mask 0x%x, expected 0x%x",
		   vgic_pending_mask(g), mask);
}

static unsigned pick_size(unsigned s)
{
	static const unsigned sizes[] = {4, 4, 8, 1, 2, 4, 3, 0};

	return sizes[s % 8];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct vgic *g = malloc(sizeof(*g));
	unsigned nv = (unsigned)fz_take(&f, 1) % VGIC_MAX_VCPUS + 1;

	if (!g)
		abort();
	vgic_init(g, nv);
	memset(nr_lr, 0, sizeof(nr_lr));
	check(g);
	while (f.n) {
		unsigned op = (unsigned)fz_take(&f, 1), v = (unsigned)fz_take(&f, 1);
		unsigned sz = pick_size(op >> 4);
		uint64_t val = 0;
		uint32_t off, got, want;

		switch (op & 7) {
		case 0: /* distributor, at a register or anywhere */
			off = v & 0x80 ? (uint32_t)fz_take(&f, 2)
				       : dist_regs[v % 16] + (uint32_t)fz_take(&f, 1) * 4;
			off += op >> 7 ? (uint32_t)fz_take(&f, 1) & 7 : 0;
			if (op & 8)
				vgic_dist_write(g, off, sz, fz_take(&f, 8));
			else if (!vgic_dist_read(g, off, sz, &val))
				FUZZ_CHECK(val == 0, "a refused read returned 0x%llx",
					   (unsigned long long)val);
			break;
		case 1: /* redistributors: RD_base or SGI_base of any vCPU */
			off = (v % (nv + 1)) * VGIC_REDIST_STRIDE;
			if (op & 0x80)
				off += (uint32_t)fz_take(&f, 3);
			else if (v & 0x80)
				off += GICR_SGI_BASE + sgi_regs[(v >> 3) % 12] +
				       (uint32_t)fz_take(&f, 1) % 32;
			else
				off += rd_regs[(v >> 3) % 6] +
				       (uint32_t)fz_take(&f, 1) % 8;
			if (op & 8)
				vgic_redist_write(g, off, sz, fz_take(&f, 8));
			else if (!vgic_redist_read(g, off, sz, &val))
				FUZZ_CHECK(val == 0, "a refused read returned 0x%llx",
					   (unsigned long long)val);
			break;
		case 2: /* a line changes: any INTID, even invalid ones */
			vgic_set_level(g, v % (nv + 1), (uint32_t)fz_take(&f, 1) % 140,
				       op & 8);
			break;
		case 3: /* ICC_SGI1R_EL1 */
			vgic_send_sgi(g, v % (nv + 1), fz_take(&f, 8));
			break;
		case 4: /* the hypervisor fills a list register */
			v %= nv;
			got = vgic_next(g, v, lr[v], nr_lr[v], NULL, NULL);
			want = reference(g, v, lr[v], nr_lr[v]);
			FUZZ_CHECK(got == want || (got == VGIC_SPURIOUS &&
						   (g->vcpu[v].waker &
						    GICR_WAKER_ProcessorSleep)),
				   "vCPU %u: vgic_next says %u, the state says %u", v,
				   got, want);
			if (got != VGIC_SPURIOUS && nr_lr[v] < NR_LRS) {
				FUZZ_CHECK(vgic_deliver(g, v, got),
					   "INTID %u not deliverable", got);
				lr[v][nr_lr[v]++] = got;
			}
			break;
		case 5: /* ... and reads one back: the guest acked, EOId, or not */
			v %= nv;
			if (nr_lr[v]) {
				unsigned i = (unsigned)fz_take(&f, 1) % nr_lr[v];
				bool p = op & 8, a = op & 0x10;

				vgic_lr_update(g, v, lr[v][i], p, a);
				if (!p && !a)
					lr[v][i] = lr[v][--nr_lr[v]];
			}
			break;
		case 6: { /* deliver any INTID: refused unless pending there */
			uint32_t id = (uint32_t)fz_take(&f, 1) % 140;
			const struct vgic_irq *q;
			bool ok, want_ok;

			v %= nv;
			if (nr_lr[v] == NR_LRS)
				break;
			q = id < NR_INTIDS ? irq_of(g, v, id) : NULL;
			want_ok = q && !q->in_lr && pending(q) &&
				  (id < VGIC_FIRST_SPI || q->target_vcpu == v);
			ok = vgic_deliver(g, v, id);
			FUZZ_CHECK(ok == want_ok, "deliver INTID %u to vCPU %u: %d", id,
				   v, ok);
			if (ok) {
				FUZZ_CHECK(q && q->in_lr && q->lr_vcpu == v &&
						   q->lr_pending &&
						   (id < VGIC_FIRST_SPI ||
						    q->target_vcpu == v),
					   "INTID %u delivered to vCPU %u", id, v);
				lr[v][nr_lr[v]++] = id;
			}
			break;
		}
		default:
			v %= nv;
			vgic_next(g, v, NULL, 0, NULL, NULL);
			break;
		}
		check(g);
	}
	free(g);
	return 0;
}
