using Vault.Cli;

return await VaultCli.RunAsync(args, CliIo.FromConsole());
