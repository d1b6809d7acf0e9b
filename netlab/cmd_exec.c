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
#include "netlab.h"
#include "labarg.h"

static volatile sig_atomic_t child;

static void forward(int sig)
{
	int saved = errno;

	if (child > 0)
		kill(child, sig);
	errno = saved;
}

/* While the command runs: a SIGTERM or SIGHUP sent to us is passed on;
 * the terminal's ^C and ^\ reach it directly (same process group). */
static const struct {
	int sig;
	void (*handler)(int);
} sigs[] = {
	{ SIGTERM, forward },
	{ SIGHUP, forward },
	{ SIGINT, SIG_IGN },
	{ SIGQUIT, SIG_IGN },
};

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct sigaction old[ARRAY_SIZE(sigs)];
	struct nlab_err e = { 0 };
	char *shell_argv[2] = { NULL, NULL };
	char lab[NLAB_NAME_MAX + 1];
	char **cmd, **env;
	sigset_t fwd, mask;
	int status;
	pid_t pid;

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
	if (nlab_multi_exists(lab)) {
		/* On the node's host: `netlab exec LAB NODE -- CMD...`. */
		char **args = xcalloc((size_t)argc + 3, sizeof(char *));
		size_t k = 0;

		args[k++] = "exec";
		args[k++] = lab;
		args[k++] = argv[2];
		args[k++] = "--";
		for (char **c = cmd; *c; c++)
			args[k++] = *c;
		nlab_multi_exec(lab, argv[2], args, &e);
		free(args);
		return cli_fail(cli, &e);
	}
	if (nlab_node_enter_env(lab, argv[2], getenv("TERM"), &env, &e))
		return cli_fail(cli, &e);

	/* The handlers are in place before the child exists, and the
	 * signals they pass on wait, blocked, until its pid is known. */
	sigemptyset(&fwd);
	sigaddset(&fwd, SIGTERM);
	sigaddset(&fwd, SIGHUP);
	sigprocmask(SIG_BLOCK, &fwd, &mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction sa = { .sa_handler = sigs[i].handler };

		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i].sig, &sa, &old[i]);
	}
	/* Joining a PID namespace moves only children: fork. */
	pid = fork();
	if (pid < 0) {
		cli_error(cli, "fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (pid == 0) {
		/* The command gets the caller's signal state back. */
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			sigaction(sigs[i].sig, &old[i], NULL);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		if (chdir("/") < 0)
			_exit(126);
		/* execvp looks CMD up in the node's PATH. */
		environ = env;
		execvp(cmd[0], cmd);
		fprintf(stderr, "netlab: exec: %s: %s\n", cmd[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	child = pid;
	sigprocmask(SIG_UNBLOCK, &fwd, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_FAIL;
	/* _exit, not return: this process sits in the node's PID namespace
	 * without being in it, where nothing at exit (such as a sanitizer's
	 * helper thread) may start a thread. */
	fflush(NULL);
	_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				  : WEXITSTATUS(status));
}
