namespace Vault.Cli.Mcp;

/// <summary>The attached browser has no open tab to act on.</summary>
internal sealed class NoPageException() : Exception("The browser has no open page");
