namespace Vault.Cli;

/// <summary>
/// Where the CLI reads and writes: the real console, or redirected streams (tests, pipes). Secrets come from standard
/// input, or from a prompt that does not echo when standard input is a terminal; never from the command line.
/// </summary>
public sealed class CliIo(TextReader input, TextWriter output, TextWriter error, bool interactive, Func<string, string?> environment)
{
    public TextReader In { get; } = input;
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;

    /// <summary>True when a person is at a terminal: secrets are prompted for without echo, sync shows a live timer.</summary>
    public bool Interactive { get; } = interactive;

    public string? Environment(string name) => environment(name);

    public static CliIo FromConsole() =>
        new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected, System.Environment.GetEnvironmentVariable);

    /// <summary>One secret line: prompted without echo at a terminal, else the next line of standard input.</summary>
    public string? ReadSecret(string prompt)
    {
        if (!Interactive)
        {
            return In.ReadLine();
        }

        Err.Write(prompt + ": ");
        var secret = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        Err.WriteLine();
        return secret.ToString();
    }
}
