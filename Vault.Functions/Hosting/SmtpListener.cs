using System.Buffers;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Vault.Core.Codes;

namespace Vault.Functions.Hosting;

/// <summary>
/// Standalone mode's mail entry for runs: a real SMTP listener on <c>Vault__Codes__SmtpPort</c> (the SmtpServer
/// package) that takes a recipient only when it is a live run's address, parses the message with MimeKit (multipart,
/// quoted-printable, base64, any charset) and hands its text to <see cref="CodeService"/>. Messages are at most
/// 1 MiB; each client address is rate limited like the webhooks.
/// </summary>
public sealed class SmtpListener(CodeService codes, IOptions<CodeOptions> options, ILogger<SmtpListener> logger) : BackgroundService
{
    private const int MaxMessageBytes = 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SmtpPort is not { } port)
        {
            return;
        }

        var smtpOptions = new SmtpServerOptionsBuilder()
            .ServerName("vault")
            .MaxMessageSize(MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).SessionTimeout(TimeSpan.FromSeconds(30)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new RunRecipients(codes));
        services.Add(new CodeMessages(codes, logger));
        var server = new SmtpServer.SmtpServer(smtpOptions, services);
        logger.LogInformation("SMTP listener for run inboxes on 127.0.0.1:{Port}", port);
        try
        {
            await server.StartAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>Accepts a recipient only when it is a live run's address; anything else is refused at RCPT TO.</summary>
    private sealed class RunRecipients(CodeService codes) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(size <= MaxMessageBytes && codes.InboundRetryAfter(Address(context)) is null);

        public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            await codes.RunOfRecipientAsync($"{to.User}@{to.Host}", cancellationToken).ConfigureAwait(false) is not null;

        private static string? Address(ISessionContext context) =>
            context.Properties.TryGetValue(SmtpServer.Net.EndpointListener.RemoteEndPointKey, out var endpoint) ? (endpoint as IPEndPoint)?.Address.ToString() : null;
    }

    /// <summary>Parses an accepted message and delivers its text to every accepted recipient's run.</summary>
    private sealed class CodeMessages(CodeService codes, ILogger logger) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            MimeMessage message;
            try
            {
                using var stream = new MemoryStream(buffer.ToArray());
                message = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException)
            {
                return new SmtpResponse(SmtpReplyCode.SyntaxError, "Not a mail message");
            }

            var sender = message.From.Mailboxes.FirstOrDefault();
            // "Name <address>" as a person writes it (MimeKit's ToString quotes names for the wire).
            var from = sender is null ? transaction.From?.AsAddress()
                : string.IsNullOrWhiteSpace(sender.Name) ? sender.Address : $"{sender.Name} <{sender.Address}>";
            foreach (var recipient in transaction.To)
            {
                await codes.ReceiveEmailAsync($"{recipient.User}@{recipient.Host}", from, message.Subject, message.TextBody, message.HtmlBody, cancellationToken)
                    .ConfigureAwait(false);
            }

            logger.LogInformation("SMTP message for {Count} run inboxes received", transaction.To.Count);
            return SmtpResponse.Ok;
        }
    }
}
