/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/proc.h - run a helper program (vfio-client) beside a test.
 *
 * Functions returning int give 0 (or a pid / status, where it says so) on
 * success and -errno on failure.
 */
#ifndef GUEST_PROC_H
#define GUEST_PROC_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Run @argv (argv[0] a path) with stdin and stdout on pipes; *@in and *@out
 * get our ends. Returns the child's pid.
 */
pid_t _proc_spawn(char *const argv[], int *in, FILE **out);

/*
 * _proc_spawn() into a process group of its own: a kill() of the group
 * then reaches it and every process it forks, as Ctrl-C on a terminal
 * reaches a foreground job.
 */
pid_t _proc_spawn_group(char *const argv[], int *in, FILE **out);

/*
 * Copy @out's lines to stderr, each as "#   <prefix>: <line>", until one
 * equals @until (to the end of file if NULL). True if @until was seen (or
 * @until is NULL). stderr, as TH_LOG: the harness ends a test with _exit(),
 * which would drop whatever sat in a buffered stdout.
 */
bool proc_relay(FILE *out, const char *prefix, const char *until);

/* Reap @pid: its exit status, or 128 + the signal that killed it. */
int _proc_wait(pid_t pid);

/* SIGKILL @pid and reap it; returns what _proc_wait() returns. */
int _proc_kill(pid_t pid);

#endif
