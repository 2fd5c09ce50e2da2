/*
 * The VMs' consoles on the one physical UART. With one VM its stream goes
 * out as it comes: the terminal is the VM's (its shell's line editing,
 * colours, full-screen programs). With more than one the console is
 * shared: output goes out a line at a time (so lines of VMs and of the
 * hypervisor never interleave), prefixed with the VM's name, and each VM's
 * control characters are shown escaped (hyp/drivers/console_escape.c), so that
 * none can pass for another VM's line or the hypervisor's. Input goes to
 * one VM at a time, the first at start; Ctrl-] moves it to the next VM.
 * Within the VM it goes to its PL011 or, with `vmN.console = virtio`, to
 * its virtio console (hyp/vdev/vconsole.c).
 */
#include <string.h>

#include <libfdt.h>

#include <lib/console.h>
#include <lib/dt/dt.h>
#include <lib/dt/gic_specifier.h>
#include <lib/gicv3.h>

#include <hyp/drivers/gic.h>
#include <hyp/hyp.h>
#include <hyp/vm.h>

#define FOCUS_SWITCH_KEY 0x1d /* Ctrl-] */

static uint32_t uart_intid = GIC_SPURIOUS;
static unsigned focus;
static unsigned uart_cpu; /* the physical CPU taking the UART's interrupt */

/* "[name] " and the line, written as one piece so that another CPU's
 * output cannot land between the prefix and the line. */
static void put_line(struct vm *vm)
{
	char out[sizeof(vm->name) + 3 + sizeof(vm->console_line)];
	size_t name = strnlen(vm->name, sizeof(vm->name)), n = 0;

	if (vm_count > 1) {
		out[n++] = '[';
		memcpy(out + n, vm->name, name);
		n += name;
		out[n++] = ']';
		out[n++] = ' ';
	}
	memcpy(out + n, vm->console_line, vm->console_len);
	console_write_raw(out, n + vm->console_len);
	vm->console_len = 0;
	/* What follows comes after a prefix of its own. */
	console_escape_prefixed(&vm->console_esc);
}

void vm_console_out(struct vm *vm, const char *s, size_t n)
{
	/* One VM: nothing to interleave with, and a prompt must show at once. */
	if (vm_count == 1) {
		console_write_raw(s, n);
		if (n)
			vm->console_mid_line = s[n - 1] != '\n';
		return;
	}
	spin_lock(&vm->console_lock);
	for (size_t i = 0; i < n; i++) {
		char shown[CONSOLE_ESCAPE_MAX];
		size_t k;

		/* Room first: a backspace is judged against the prefix it
		 * will follow. */
		if (vm->console_len + CONSOLE_ESCAPE_MAX > sizeof(vm->console_line))
			put_line(vm);
		k = console_escape(&vm->console_esc, (uint8_t)s[i], shown);
		memcpy(vm->console_line + vm->console_len, shown, k);
		vm->console_len += k;
		if (k && shown[k - 1] == '\n')
			put_line(vm);
	}
	spin_unlock(&vm->console_lock);
}

/* vm_console_putc()'s shared case, out of its line: the byte's address
 * would cost the one-VM case a store and a load. */
void vm_console_out_byte(struct vm *vm, char c)
{
	vm_console_out(vm, &c, 1);
}

void vm_console_flush(struct vm *vm)
{
	spin_lock(&vm->console_lock);
	if (vm->console_len)
		put_line(vm);
	spin_unlock(&vm->console_lock);
}

void vm_console_end(struct vm *vm)
{
	char tail[CONSOLE_ESCAPE_MAX];
	size_t k;

	/* One VM: the hypervisor's next line starts on a line of its own,
	 * not after the VM's last words. */
	if (vm_count == 1 && vm->console_mid_line)
		log_printf("\n");
	spin_lock(&vm->console_lock);
	/* A \r held for a byte that will not come is shown now. */
	k = console_escape_end(&vm->console_esc, tail);
	if (vm->console_len + k > sizeof(vm->console_line))
		put_line(vm);
	memcpy(vm->console_line + vm->console_len, tail, k);
	vm->console_len += k;
	/* Its last words end their line: the hypervisor's follows. */
	if (vm->console_len && vm->console_line[vm->console_len - 1] != '\n') {
		if (vm->console_len == sizeof(vm->console_line))
			put_line(vm);
		vm->console_line[vm->console_len++] = '\n';
	}
	if (vm->console_len)
		put_line(vm);
	spin_unlock(&vm->console_lock);
}

uint32_t console_uart_intid(void)
{
	return uart_intid;
}

/* The physical console UART's interrupt, from its DT node. */
void console_mux_init(const void *fdt, uint64_t uart_pa)
{
	int node = -1, len;

	while ((node = fdt_node_offset_by_compatible(fdt, node, "arm,pl011")) >= 0) {
		uint64_t base;
		const fdt32_t *irq;

		if (dt_reg(fdt, node, 0, &base, NULL) || base != uart_pa)
			continue;
		irq = fdt_getprop(fdt, node, "interrupts", &len);
		if (irq && len >= 12 && fdt32_to_cpu(irq[0]) == DT_GIC_SPI)
			uart_intid = GIC_SPI_BASE + fdt32_to_cpu(irq[1]);
		break;
	}
	if (uart_intid == GIC_SPURIOUS || vm_count == 0)
		return;
	uart_cpu = 0;
	gic_enable_spi(uart_intid, pcpus[uart_cpu].mpidr);
	console_enable_rx_irq();
}

/* A VM has ended: if it had the keyboard, the next live VM gets it. */
void console_mux_vm_ended(struct vm *vm)
{
	if (focus != vm->id)
		return;
	for (unsigned i = 0; i < vm_count; i++) {
		focus = (focus + 1) % vm_count;
		if (vms[focus].live)
			return;
	}
}

/* Input for a VM whose virtio console takes it, gathered: the device
 * fills a guest buffer per call, not per byte. */
struct input_batch {
	uint8_t b[64];
	size_t n;
};

static void batch_flush(struct input_batch *in, struct vm *vm)
{
	if (in->n && vm->live)
		vconsole_input(vm, in->b, in->n);
	in->n = 0;
}

void console_input(void)
{
	struct input_batch in = {.n = 0};
	int c;

	while ((c = console_getc()) >= 0) {
		struct vm *vm;

		if (c == FOCUS_SWITCH_KEY && vm_count > 1) {
			batch_flush(&in, &vms[focus]);
			/* What the VM losing the keyboard got so far is all it
			 * gets for now: its receive timeout, as at the end of a
			 * burst (else a line typed just before the switch sits
			 * in its FIFO unannounced). */
			if (vms[focus].live)
				vuart_input_idle(&vms[focus]);
			/* The next VM still running. */
			for (unsigned i = 0; i < vm_count; i++) {
				focus = (focus + 1) % vm_count;
				if (vms[focus].live)
					break;
			}
			log_printf("\nhyp: console input goes to vm%u '%s'\n", focus,
				   vms[focus].name);
			continue;
		}
		vm = &vms[focus];
		/* Whoever types sees the prompt they answer. */
		vm_console_flush(vm);
		if (!vm->live)
			continue;
		/* vmN.console says which of its consoles gets the keyboard. */
		if (vconsole_takes_input(vm)) {
			in.b[in.n++] = (uint8_t)c;
			if (in.n == sizeof(in.b))
				batch_flush(&in, vm);
		} else {
			vuart_input(vm, (uint8_t)c);
		}
	}
	batch_flush(&in, &vms[focus]);
	if (vms[focus].live && !vconsole_takes_input(&vms[focus]))
		vuart_input_idle(&vms[focus]);
}
