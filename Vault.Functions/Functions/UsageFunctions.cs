using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Accounts;
using Vault.Core.Errors;
using Vault.Functions.Http;

namespace Vault.Functions.Functions;

public sealed class UsageFunctions(ApiGate gate, Metering metering, TimeProvider clock)
{
    private const int MaxDays = 366;

    [Function(nameof(GetUsage))]
    public Task<IActionResult> GetUsage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/usage")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var to = Query.OptionalDate(req, "to") ?? today;
            var from = Query.OptionalDate(req, "from") ?? to.AddDays(-29);
            if (from > to)
            {
                throw new InvalidRequestException("from", "must not be after to.", InputProblemKind.OutOfRange);
            }

            if (to.DayNumber - from.DayNumber >= MaxDays)
            {
                throw new InvalidRequestException("from", $"the range must not exceed {MaxDays} days.", InputProblemKind.OutOfRange);
            }

            var days = await metering.ReadAsync(call.Account, from, to, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new UsageBody(days.Select(d => new UsageDayBody(d.Date, d.Calls, d.ByRoute)).ToList()), ApiJson.Default.UsageBody);
        });
}
