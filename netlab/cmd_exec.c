// SPDX-License-Identifier: MIT
/* netlab exec LAB|FILE NODE [--] [CMD [ARG...]] */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "enter.h"
#include "labarg.h"

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct sigaction fwd = { .sa_handler = forward },
			 ign = { .sa_handler = SIG_IGN };
	struct nlab_err e = { 0 };
	char *shell_argv[2] = { NULL, NULL };
	char lab[NLAB_NAME_MAX + 1];
	char **cmd;
	int status;

	if (argc < 3)
		return cli_usage(cli, "expected LAB NODE [--] [CMD [ARG...]]");
	status = cli_lab_arg(cli, argv[1], lab, sizeof(lab));
	if (status)
		return status;
	if (!nlab_valid_name(argv[2]))
		return cli_usage(cli, "'%s' is not a node name", argv[2]);
	cmd = argv + 3;
	if (*cmd && !strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd) {
		shell_argv[0] = getenv("SHELL") ? getenv("SHELL") : "/bin/sh";
		cmd = shell_argv;
	}
	if (cli_need_root(cli))
		return EXIT_FAIL;
	if (nlab_node_enter(lab, argv[2], &e))
		return cli_fail(cli, &e);

	/* Joining a PID namespace moves only children: fork. */
	child = fork();
	if (child < 0) {
		cli_error(cli, "fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (child == 0) {
		if (chdir("/") < 0)
			_exit(126);
		setenv("NETLAB_LAB", lab, 1);
		setenv("NETLAB_NODE", argv[2], 1);
		execvp(cmd[0], cmd);
		fprintf(stderr, "netlab: exec: %s: %s\n", cmd[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* The terminal's ^C and ^\ reach the child directly (same process
	 * group); a SIGTERM or SIGHUP sent to us is passed on. */
	sigemptyset(&fwd.sa_mask);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_FAIL;
	/* _exit, not return: this process sits in the node's PID namespace
	 * without being in it, where nothing at exit (such as a sanitizer's
	 * helper thread) may start a thread. */
	fflush(NULL);
	_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				  : WEXITSTATUS(status));
}
