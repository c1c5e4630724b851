/* The client's terminal: raw mode while attached with -t, restored on
 * every way out (normal exit, error, signal, daemon gone). */
#ifndef MD_CLIENT_TTY_H
#define MD_CLIENT_TTY_H

#include <stdbool.h>

/* Put fd (a terminal) in raw mode; the previous mode is restored by
 * tty_restore and at exit. */
int tty_raw(int fd);
void tty_restore(void);
/* The terminal's size, or false when fd is not a terminal. */
bool tty_size(int fd, unsigned short *rows, unsigned short *cols);

#endif
