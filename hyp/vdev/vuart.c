/*
 * Each VM's PL011 at IPA 0x0900_0000: the register model (hyp/vdev/pl011_model.c)
 * behind trapped MMIO, its output to the VM's console stream, its input from
 * the physical console when the VM has the focus (held in the model's
 * 4 KiB input buffer until the guest reads it), its interrupt line to the
 * VM's virtual GIC (SPI 1). Its transmit FIFO drains with time on the
 * physical counter.
 */
#include <lib/console.h>
#include <lib/gicv3.h>
#include <hyp/vdev/guest_dt.h>
#include <hyp/vdev/pl011_model.h>

#include <hyp/hyp.h>
#include <hyp/vm.h>
#include <hyp/vdev/mmio.h>

#define VUART_INTID (GIC_SPI_BASE + GUEST_UART_SPI)
#define VUART_SIZE 0x1000

static void tx(void *ctx, uint8_t c)
{
	vm_console_putc(ctx, (char)c);
}

/* The physical counter: EL2 reads it directly, and only differences
 * matter, so the VM's counter offset does not. */
static uint64_t now(void *ctx)
{
	return read_sysreg(cntpct_el0);
}

static const struct pl011_emu_ops ops = {tx, now};

/* Input a full buffer lost: one line once the guest has caught up. Called
 * without the UART's lock (the console may wait). */
static void report_dropped(struct vm *vm, uint32_t dropped)
{
	if (dropped)
		log_printf(
			"\nhyp: vm%u '%s': console input buffer full, %u bytes dropped\n",
			vm->id, vm->name, dropped);
}

/* The UART's interrupt line to the virtual GIC, told only of changes:
 * most accesses change nothing, and every call costs a search for what to
 * deliver. Called with the UART's lock held, so the line follows the
 * UART's states in order. */
static void update_line(struct vm *vm)
{
	bool level = pl011_emu_irq_level(&vm->uart);

	if (level == vm->uart_line)
		return;
	vm->uart_line = level;
	vgic_line(vm, VUART_INTID, level);
}

static bool uart_read(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		      uint64_t *val)
{
	struct vm *vm = priv;
	uint32_t v32 = 0, dropped;
	bool ok;

	spin_lock(&vm->uart_lock);
	ok = pl011_emu_read(&vm->uart, (uint32_t)off, size, &v32);
	update_line(vm);
	dropped = pl011_emu_input_dropped(&vm->uart);
	spin_unlock(&vm->uart_lock);
	report_dropped(vm, dropped);
	*val = v32;
	return ok;
}

static bool uart_write(struct vcpu *v, void *priv, uint64_t off, unsigned size,
		       uint64_t val)
{
	struct vm *vm = priv;
	bool ok;

	spin_lock(&vm->uart_lock);
	ok = pl011_emu_write(&vm->uart, (uint32_t)off, size, (uint32_t)val);
	update_line(vm);
	spin_unlock(&vm->uart_lock);
	return ok;
}

static const struct mmio_ops uart_ops = {uart_read, uart_write};

/*
 * The quick way in, from the fast exit before the device table
 * (hyp/vdev/mmio.c): a UARTFR read and a UARTDR write, the accesses a
 * console makes per character, in the states the model's quick forms take
 * (pl011_emu_read_fr_quick(), pl011_emu_write_dr_quick()), and the
 * interrupt registers a driver's transmit interrupt touches
 * (pl011_emu_read_int_quick(), pl011_emu_write_int_quick()). The same lock,
 * console and interrupt line as uart_read() and uart_write(); left out is
 * only what cannot happen: a UARTFR read that the quick form takes changes
 * no interrupt, and a UARTDR write pops no input. Anything else, or a
 * state the quick forms decline, goes the regular way (uart_read(),
 * uart_write(), which also refuse what the UART does not take), with
 * nothing changed.
 */
/* Input lost, reported after a quick read, and the exit's end: out of
 * the way of the read's short path. */
static bool __attribute__((noinline)) fast_read_dropped(struct vcpu *v, uint32_t dropped)
{
	report_dropped(v->vm, dropped);
	return mmio_fast_end(v);
}

/* The regular way from the fast exit: uart_read() or uart_write() as the
 * device table would call them (the UART never asks for an access again),
 * without searching the table. false: refused, nothing changed, and the
 * full path injects the abort. */
static bool __attribute__((noinline))
fast_regular(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg)
{
	uint64_t val = 0;

	if (esr & ESR_ISS_WNR) {
		if (!uart_write(v, v->vm, off, mmio_access_size(esr),
				mmio_store_value(esr, reg)))
			return false;
	} else {
		if (!uart_read(v, v->vm, off, mmio_access_size(esr), &val))
			return false;
		if (reg)
			*reg = mmio_load_value(esr, val);
	}
	mmio_fast_step(v, esr);
	return mmio_fast_end(v);
}

/* A UARTRIS or UARTMIS read (Linux's transmit interrupt handler, once per
 * half FIFO): the FIFO may drain and raise TXRIS, so the line is checked,
 * and lost input reported, as after uart_read(). */
static bool __attribute__((noinline))
fast_int_read(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg)
{
	struct vm *vm = v->vm;
	uint32_t dropped;
	int val;

	spin_lock(&vm->uart_lock);
	val = pl011_emu_read_int_quick(&vm->uart, (uint32_t)off, mmio_access_size(esr));
	if (val < 0) {
		spin_unlock(&vm->uart_lock);
		return fast_regular(v, esr, off, reg);
	}
	update_line(vm);
	dropped = pl011_emu_input_dropped(&vm->uart);
	spin_unlock(&vm->uart_lock);
	report_dropped(vm, dropped);
	if (reg)
		*reg = mmio_load_value(esr, (uint32_t)val);
	mmio_fast_step(v, esr);
	return mmio_fast_end(v);
}

/* A UARTICR or UARTIMSC write (the same handler, and start_tx/stop_tx):
 * the line may change either way. */
static bool __attribute__((noinline))
fast_int_write(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg)
{
	struct vm *vm = v->vm;
	int done;

	spin_lock(&vm->uart_lock);
	done = pl011_emu_write_int_quick(&vm->uart, (uint32_t)off, mmio_access_size(esr),
					 (uint32_t)mmio_store_value(esr, reg));
	if (done < 0) {
		spin_unlock(&vm->uart_lock);
		return fast_regular(v, esr, off, reg);
	}
	update_line(vm);
	spin_unlock(&vm->uart_lock);
	mmio_fast_step(v, esr);
	return mmio_fast_end(v);
}

bool vuart_fast_read(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg)
{
	struct vm *vm = v->vm;
	uint32_t dropped;
	int fr;

	if (off != UARTFR) {
		if (off == UARTRIS || off == UARTMIS)
			return fast_int_read(v, esr, off, reg);
		return fast_regular(v, esr, off, reg);
	}
	spin_lock(&vm->uart_lock);
	fr = pl011_emu_read_fr_quick(&vm->uart, read_sysreg(cntpct_el0),
				     mmio_access_size(esr));
	if (fr < 0) {
		spin_unlock(&vm->uart_lock);
		return fast_regular(v, esr, off, reg);
	}
	/* Input lost earlier is reported at the first read after the guest
	 * has caught up: this may be it (uart_read()). */
	dropped = pl011_emu_input_dropped(&vm->uart);
	spin_unlock(&vm->uart_lock);
	if (reg)
		*reg = mmio_load_value(esr, (uint32_t)fr);
	mmio_fast_step(v, esr);
	if (dropped)
		return fast_read_dropped(v, dropped);
	return mmio_fast_end(v);
}

bool vuart_fast_write(struct vcpu *v, uint64_t esr, uint64_t off, uint64_t *reg)
{
	struct vm *vm = v->vm;
	int c;

	if (off != UARTDR) {
		if (off == UARTICR || off == UARTIMSC)
			return fast_int_write(v, esr, off, reg);
		return fast_regular(v, esr, off, reg);
	}
	spin_lock(&vm->uart_lock);
	/* The register as it is, not cut to the access's size
	 * (mmio_store_value()): the quick form keeps only its low byte,
	 * which every size the UART takes includes. */
	c = pl011_emu_write_dr_quick(&vm->uart, read_sysreg(cntpct_el0),
				     mmio_access_size(esr), reg ? (uint32_t)*reg : 0);
	if (c < 0) {
		spin_unlock(&vm->uart_lock);
		return fast_regular(v, esr, off, reg);
	}
	/* Where tx() would have sent it, under the lock: the console gets a
	 * VM's bytes in the order its FIFO took them. */
	vm_console_putc(vm, (char)c);
	update_line(vm);
	spin_unlock(&vm->uart_lock);
	mmio_fast_step(v, esr);
	return mmio_fast_end(v);
}

/* The UART as at power-on (a VM's reset: its line goes low too). */
void vuart_reset(struct vm *vm)
{
	spin_lock(&vm->uart_lock);
	pl011_emu_init(&vm->uart, &ops, vm);
	pl011_emu_set_clock(&vm->uart, read_sysreg(cntfrq_el0));
	console_escape_init(&vm->console_esc);
	/* As boot firmware leaves it: enabled, 115200 8N1 with FIFOs, so an
	 * early console that writes without setting it up works. */
	pl011_emu_fw_setup(&vm->uart, GUEST_DT_UART_CLK_HZ, 115200);
	vm->uart_line = false;
	spin_unlock(&vm->uart_lock);
}

int vuart_vm_init(struct vm *vm)
{
	vuart_reset(vm);
	return vm_add_mmio(vm, GUEST_UART_BASE, VUART_SIZE, &uart_ops, vm, "UART");
}

void vuart_input(struct vm *vm, uint8_t c)
{
	spin_lock(&vm->uart_lock);
	pl011_emu_input(&vm->uart, c);
	update_line(vm);
	spin_unlock(&vm->uart_lock);
}

void vuart_input_idle(struct vm *vm)
{
	uint32_t dropped;
	spin_lock(&vm->uart_lock);
	pl011_emu_rx_idle(&vm->uart);
	update_line(vm);
	dropped = pl011_emu_input_dropped(&vm->uart);
	spin_unlock(&vm->uart_lock);
	report_dropped(vm, dropped);
}
