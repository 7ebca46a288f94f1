/*
 * Matrix multiplication by a grid of envs, after section 6.2 of Hoare's
 * "Communicating Sequential Processes" (CACM, 1978).
 *
 * Each of the 3x3 cells holds one element a(i,j) of A.  A row x of the
 * input matrix IN comes in from the west, x(i) into grid row i; each cell
 * passes x(i) east, and passes south the partial sum from the north plus
 * a(i,j) * x(i).  So the bottom of column j gives sum over i of
 * x(i) * a(i,j): the row of IN times A.  Round the cells, as in the paper:
 * a row of envs on the north edge feeds in zeros and a column on the east
 * edge takes the x's and drops them.  The root env plays both west and
 * south: it sends an input row, then collects that row's product.
 *
 * Envs sit at positions (i, j) of a (N+2) x (N+2) grid: the cells at
 * 1..N, the zero feeders on row 0, the sinks on column N+1, the root at
 * column 0 and row N+1; the roster maps positions to ids.
 *
 * Why the root waits for a row's product before sending the next: the
 * bottom cells send to the root, and a send waits until its target
 * receives.  A root busy sending the next row to a cell held up behind
 * the bottom row (whose sends to the root wait) would deadlock.  The
 * grid is otherwise acyclic, and every env receives whenever it waits
 * for input, so nothing else can.
 */
#include <inc/lib.h>
#include <inc/chan.h>

#define N	3		// A is N x N
#define NROWS	5		// rows of IN
#define GRID	(N + 2)		// the grid's side, with its edges

#define ROSTER	((void *) 0x10000000)

// A zero feeder may get a whole stream ahead of its cell.
static_assert(NROWS <= CHAN_QLEN);

static const int A[N][N] = {
	{ 2, -1, 3 },
	{ 0, 4, -5 },
	{ -6, 7, 1 },
};

static const int IN[NROWS][N] = {
	{ 1, 0, 0 },
	{ 0, 1, 0 },
	{ 0, 0, 1 },
	{ 3, -2, 5 },
	{ -7, 4, 9 },
};

static struct roster *roster;

// The env at grid position (i, j).
static envid_t
at(int i, int j)
{
	return roster->id[i * GRID + j];
}

static void
send(int i, int j, int value)
{
	ipc_send(at(i, j), value, NULL, 0);
}

// The cell at (i, j), holding a(i-1, j-1).
static void
cell(int i, int j)
{
	struct inbox in = { 0 };
	int west = inbox_listen(&in, at(i, j - 1));
	int north = inbox_listen(&in, at(i - 1, j));
	int r, x, sum;

	for (r = 0; r < NROWS; r++) {
		x = inbox_recv(&in, west);
		send(i, j + 1, x);
		sum = inbox_recv(&in, north);
		send(i + 1, j, sum + A[i - 1][j - 1] * x);
	}
}

// The zero feeder above the cells of column j.
static void
feed_zeros(int j)
{
	int r;

	for (r = 0; r < NROWS; r++)
		send(1, j, 0);
}

// The sink east of the cells of row i.
static void
sink(int i)
{
	struct inbox in = { 0 };
	int west = inbox_listen(&in, at(i, N));
	int r;

	for (r = 0; r < NROWS; r++)
		inbox_recv(&in, west);
}

// Fork the env for grid position (i, j): a zero feeder on row 0, a sink
// on column N+1, else a cell.  It starts once the roster is complete and
// exits when its streams end.
static void
spawn(int i, int j)
{
	envid_t id;

	if ((id = fork()) < 0)
		panic("matrix: fork: %e", id);
	if (id > 0) {
		roster->id[i * GRID + j] = id;
		return;
	}
	roster_wait(roster);
	if (i == 0)
		feed_zeros(j);
	else if (j == N + 1)
		sink(i);
	else
		cell(i, j);
	exit();
}

// Send row r of IN in from the west, and print its product from the
// south.
static void
multiply_row(struct inbox *in, const int *bottom, int r)
{
	char line[80];
	int i, j, n;

	for (i = 1; i <= N; i++)
		send(i, 1, IN[r][i - 1]);
	n = snprintf(line, sizeof(line), "matrix: row %d:", r);
	for (j = 1; j <= N; j++)
		n += snprintf(line + n, sizeof(line) - n, " %d",
			      (int) inbox_recv(in, bottom[j - 1]));
	cprintf("%s\n", line);
}

void
umain(int argc, char **argv)
{
	struct inbox in = { 0 };
	int bottom[N];
	int i, j, r;

	roster = roster_create(ROSTER);
	for (i = 1; i <= N; i++) {
		roster->id[i * GRID] = thisenv->env_id;
		roster->id[(N + 1) * GRID + i] = thisenv->env_id;
	}
	for (j = 1; j <= N; j++)
		spawn(0, j);
	for (i = 1; i <= N; i++)
		for (j = 1; j <= N + 1; j++)
			spawn(i, j);
	roster_publish(roster);

	for (j = 1; j <= N; j++)
		bottom[j - 1] = inbox_listen(&in, at(N, j));
	for (r = 0; r < NROWS; r++)
		multiply_row(&in, bottom, r);
	cprintf("matrix: IN (%dx%d) times A (%dx%d) by %d envs\n",
		NROWS, N, N, N, N * N + 2 * N + 1);
}
