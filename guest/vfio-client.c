// SPDX-License-Identifier: GPL-2.0
/*
 * guest/vfio-client.c - use one PCI device through VFIO, step by step.
 *
 * usage: vfio-client [--hold] <pci-addr>
 *
 * Runs the steps of _vfio_dev_open() (vfio.h) against the device, which
 * must already be bound to vfio-pci, printing one line per step:
 *   <step>: ok                       (then "  <what it found>" if anything)
 *   <step>: <ENAME> (<strerror>)
 * With --hold it then prints "holding" and keeps container, group and
 * device open until it reads a line on stdin or gets SIGTERM / SIGINT; end
 * of file on stdin does not release (so `vfio-client --hold X </dev/null &`
 * holds until killed). Then it closes everything ("close: ok").
 *
 * Exit: 0 every step passed, 1 a step failed, 2 bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "vfio.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void report(const struct vfio_dev *v, int rc)
{
	if (rc < 0)
		printf("%s: %s (%s)\n", v->step, errno_name(-rc), strerror(-rc));
	else
		printf("%s: ok\n", v->step);
	if (v->info[0])
		printf("  %s\n", v->info);
}

/* Wait for a line on stdin or SIGTERM / SIGINT. */
static void hold(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool eof = false;
	sigset_t block, orig;
	char c;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	/* Blocked except inside ppoll(), so no signal slips between checks. */
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	printf("holding\n");
	while (!stop) {
		if (ppoll(&pfd, eof ? 0 : 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			perror("ppoll");
			break;
		}
		switch (read(STDIN_FILENO, &c, 1)) {
		case 1:
			if (c == '\n')
				stop = 1;
			break;
		case 0:
			eof = true;	/* only a signal ends the hold now */
			break;
		default:
			if (errno != EINTR && errno != EAGAIN)
				eof = true;
		}
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
}

static void usage(void)
{
	fprintf(stderr, "usage: vfio-client [--hold] <pci-addr>   (e.g. 0000:00:03.0)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct vfio_dev v;
	bool do_hold = false;
	const char *bdf;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "--hold"))
		do_hold = true;
	else if (argc != 2 || argv[1][0] == '-')
		usage();
	bdf = argv[argc - 1];
	if (strlen(bdf) >= PCI_ADDR_LEN || !strchr(bdf, ':'))
		usage();

	/* Line-buffered: whoever reads us through a pipe waits for "holding". */
	setvbuf(stdout, NULL, _IOLBF, 0);
	vfio_dev_init(&v, bdf);
	rc = _vfio_dev_open(&v, report);
	if (!rc && do_hold)
		hold();
	if (_vfio_dev_close(&v, report) && !rc)
		rc = -1;
	return rc ? 1 : 0;
}
