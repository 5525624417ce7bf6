// Package measure groups the programs that measure the provider and write
// the repository's reports, rather than serving users:
//
//   - bench times apply and a refreshing plan against the emulator, beside
//     noopprovider (a provider that does nothing, the floor to compare with),
//     and writes BENCHMARKS.md (make bench);
//   - reliability runs the fault, load, bad-input and secrets suites and
//     writes RELIABILITY.md from their results (make reliability).
//
// The emulator and the demo, which users run, stay in tools/.
package measure
