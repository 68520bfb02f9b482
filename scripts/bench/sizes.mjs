// How big each workload is: the full run, and --quick (smaller, for a first look).
const MiB = 2 ** 20;

export function sizesFor(quick) {
  const big = quick ? 256 : 1024;
  const medium = quick ? 5 : 20;
  return {
    bigBytes: big * MiB,
    bigLabel: big >= 1024 ? `${big / 1024} GiB` : `${big} MiB`,
    mediumBytes: medium * MiB,
    mediumLabel: `${medium} MiB`,
    smallFiles: quick ? 250 : 1000,
    smallBytes: 4096,
    listEntries: quick ? 2000 : 10_000,
    stormSessions: quick ? 250 : 1000,
    stormConcurrency: quick ? 50 : 200,
    parallelClients: quick ? 20 : 50,
    idleSessions: quick ? 100 : 500,
  };
}
