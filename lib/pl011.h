/* Arm PL011 UART registers (PrimeCell UART TRM), by their TRM names. */
#ifndef LIB_PL011_H
#define LIB_PL011_H

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_BUSY (1u << 3)
#define UARTFR_RXFE (1u << 4)
#define UARTFR_TXFF (1u << 5)
#define UARTIMSC 0x038
#define UARTIMSC_RXIM (1u << 4)
#define UARTIMSC_RTIM (1u << 6)
#define UARTCR 0x030
#define UARTCR_UARTEN (1u << 0)
#define UARTCR_TXE (1u << 8)
#define UARTCR_RXE (1u << 9)

#endif
