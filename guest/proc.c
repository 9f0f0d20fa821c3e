// SPDX-License-Identifier: GPL-2.0
/*
 * guest/proc.c - run a helper program (vfio-client) beside a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

static pid_t spawn(char *const argv[], int *in, FILE **out, bool own_group)
{
	int pin[2], pout[2];
	pid_t pid;

	if (pipe2(pin, O_CLOEXEC))
		return -errno;
	if (pipe2(pout, O_CLOEXEC)) {
		pid = -errno;
		goto close_in;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pid = -errno;
		close(pout[0]);
		close(pout[1]);
		goto close_in;
	}
	if (!pid) {
		if (own_group)
			setpgid(0, 0);
		dup2(pin[0], STDIN_FILENO);
		dup2(pout[1], STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	if (own_group)
		setpgid(pid, pid);	/* whichever of the two comes first */
	close(pin[0]);
	close(pout[1]);
	*in = pin[1];
	*out = fdopen(pout[0], "r");
	return pid;

close_in:
	close(pin[0]);
	close(pin[1]);
	return pid;
}

pid_t _proc_spawn(char *const argv[], int *in, FILE **out)
{
	return spawn(argv, in, out, false);
}

pid_t _proc_spawn_group(char *const argv[], int *in, FILE **out)
{
	return spawn(argv, in, out, true);
}

bool proc_relay(FILE *out, const char *prefix, const char *until)
{
	char line[256];

	while (fgets(line, sizeof(line), out)) {
		fprintf(stderr, "#   %s: %s", prefix, line);
		line[strcspn(line, "\n")] = '\0';
		if (until && !strcmp(line, until))
			return true;
	}
	return !until;
}

int _proc_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int _proc_kill(pid_t pid)
{
	if (kill(pid, SIGKILL))
		return -errno;
	return _proc_wait(pid);
}
