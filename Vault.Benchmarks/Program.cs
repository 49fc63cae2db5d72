// Benchmarks are added per capability; see README.
Console.WriteLine("Vault benchmarks: pass a benchmark name.");
