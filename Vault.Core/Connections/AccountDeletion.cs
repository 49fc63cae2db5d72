using Microsoft.Extensions.Logging;
using Vault.Core.Accounts;
using Vault.Core.Errors;

namespace Vault.Core.Connections;

/// <summary>
/// Deletes an account as a disconnect deletes a connection, for all of them: its API keys are revoked first (no new
/// call, connect or run read is accepted once that answers), then every connection is deleted with its key shredded
/// before its rows, then the account itself. A failure part-way leaves the account in place for a retry to finish.
/// </summary>
public sealed class AccountDeletion(AccountService accounts, ConnectionService connections, ConnectionStore store, ILogger<AccountDeletion> logger)
{
    public async Task DeleteAsync(string accountId, CancellationToken ct)
    {
        await accounts.RevokeAllKeysAsync(accountId, ct).ConfigureAwait(false);

        // Twice: a connect that was admitted just before the keys were revoked may create its connection meanwhile.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var connection in await store.ListIncludingDeletingAsync(accountId, ct).ConfigureAwait(false))
            {
                try
                {
                    await connections.DeleteAsync(accountId, connection.ConnectionId, ct).ConfigureAwait(false);
                }
                catch (ApiException ex) when (ex.Code == ErrorCodes.NotFound)
                {
                    // deleted meanwhile
                }
            }
        }

        await accounts.RemoveAccountAsync(accountId, ct).ConfigureAwait(false);
        logger.LogInformation("Account {AccountId} deleted with its connections, keys and runs", accountId);
    }
}
