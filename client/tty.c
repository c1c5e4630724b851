#include "tty.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;

void tty_restore(void)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSADRAIN, &saved);
		saved_fd = -1;
	}
}

int tty_raw(int fd)
{
	static bool registered;
	struct termios raw;

	if (tcgetattr(fd, &saved) < 0)
		return -1;
	raw = saved;
	cfmakeraw(&raw);
	if (!registered) {
		atexit(tty_restore);
		registered = true;
	}
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return -1;
	saved_fd = fd;
	return 0;
}

bool tty_size(int fd, unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}
