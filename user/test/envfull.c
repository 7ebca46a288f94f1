/*
 * Fill the env table with sys_exofork children, twice.  While it is
 * full, exofork and fork must fail with -E_NO_FREE_ENV and leave nothing
 * behind; once the children are destroyed, the second round must get
 * exactly as many slots, each under a new id (a reused slot gets a new
 * generation), so that an old id never names a new env.
 */
#include <inc/lib.h>

static envid_t first[NENV], second[NENV];
static int nfail;

static void
check(const char *what, int got, int want)
{
	if (got == want)
		return;
	cprintf("envfull: FAIL: %s: got %d, want %d\n", what, got, want);
	nfail++;
}

// Make children until the table is full; they never run.  Returns how
// many.
static int
fill(envid_t *ids)
{
	envid_t id;
	int n = 0;

	while ((id = sys_exofork()) > 0)
		ids[n++] = id;
	if (id == 0)
		panic("envfull: a child ran");
	check("exofork when the table is full", id, -E_NO_FREE_ENV);
	return n;
}

static void
destroy_all(envid_t *ids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		check("destroying a child", sys_env_destroy(ids[i]), 0);
}

void
umain(int argc, char **argv)
{
	int n, n2, i;

	n = fill(first);
	cprintf("envfull: table full after %d children\n", n);
	check("exofork again", sys_exofork(), -E_NO_FREE_ENV);
	check("fork", fork(), -E_NO_FREE_ENV);
	destroy_all(first, n);

	n2 = fill(second);
	check("children the second time", n2, n);
	for (i = 0; i < n; i++)
		check("an old id after its slot is reused",
		      sys_env_set_status(first[i], ENV_NOT_RUNNABLE),
		      -E_BAD_ENV);
	for (i = 0; i < n2; i++)
		check("a new child's status",
		      envs[ENVX(second[i])].env_status, ENV_NOT_RUNNABLE);
	destroy_all(second, n2);
	if (nfail == 0)
		cprintf("envfull: %d children twice, no slot lost\n", n);
	else
		cprintf("envfull: %d FAILED\n", nfail);
}
