/* Fork a binary tree of environments three levels deep; each names its
   place in the tree by the path of branches from the root. */
#include <inc/lib.h>

#define DEPTH	3

static void forktree(const char *cur);

// Fork a child that continues the tree at cur + branch.
static void
forkchild(const char *cur, char branch)
{
	char next[DEPTH + 1];
	envid_t r;

	if (strlen(cur) >= DEPTH)
		return;
	snprintf(next, sizeof(next), "%s%c", cur, branch);
	if ((r = fork()) < 0)
		panic("fork: %e", r);
	if (r == 0) {
		forktree(next);
		exit();
	}
}

static void
forktree(const char *cur)
{
	cprintf("%04x: I am '%s'\n", sys_getenvid(), cur);
	forkchild(cur, '0');
	forkchild(cur, '1');
}

void
umain(int argc, char **argv)
{
	forktree("");
}
