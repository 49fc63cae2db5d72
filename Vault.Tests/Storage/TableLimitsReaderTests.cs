using System.Text;
using Vault.Testing.TableLimits;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Storage;

/// <summary>What the limits emulator counts a request as (the rule in <c>TableOperation</c>), from its wire form.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class TableLimitsReaderTests
{
    private static TableOperation Read(string method, string target, string? contentType = null, string body = "") =>
        TableOperationReader.Read(method, target, contentType, Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_single_entity_operation_is_one_entity_of_the_partition_in_its_path_or_its_inserted_body()
    {
        Assert.Equal(1, Read("PUT", "/devstoreaccount1/items(PartitionKey='o''brien%2Fx',RowKey='r')").Charges[new PartitionId("items", "o'brien/x")]);
        Assert.Equal(1, Read("DELETE", "/devstoreaccount1/items(PartitionKey='a',RowKey='r')?timeout=30").Charges[new PartitionId("items", "a")]);
        Assert.Equal(1, Read("POST", "/devstoreaccount1/items", "application/json", "{\"N\":1,\"PartitionKey\":\"acct\",\"RowKey\":\"r\"}").Charges[new PartitionId("items", "acct")]);
    }

    [Fact]
    public void Table_and_service_operations_are_not_metered()
    {
        Assert.False(Read("POST", "/devstoreaccount1/Tables", "application/json", "{\"TableName\":\"items\"}").IsMetered);
        Assert.False(Read("DELETE", "/devstoreaccount1/Tables('items')").IsMetered);
        Assert.False(Read("GET", "/devstoreaccount1/?restype=service&comp=properties").IsMetered);
    }

    [Fact]
    public void A_query_is_charged_to_the_one_partition_its_filter_names_else_to_the_account()
    {
        var one = Read("GET", "/devstoreaccount1/items()?$filter=" + Uri.EscapeDataString("PartitionKey eq 'a''b' and RowKey ge 'x'"));
        Assert.True(one.IsQuery);
        Assert.Equal(new PartitionId("items", "a'b"), one.QueryPartition);
        Assert.Null(Read("GET", "/devstoreaccount1/items()?$filter=" + Uri.EscapeDataString("PartitionKey eq 'a' or PartitionKey eq 'b'")).QueryPartition);
        Assert.Null(Read("GET", "/devstoreaccount1/items()").QueryPartition);
        Assert.Equal(3, QueryResultCounter.Count("{\"odata.metadata\":\"x\",\"value\":[{\"a\":[1,2]},{},{\"b\":{\"c\":1}}]}"u8));
    }

    [Fact]
    public void A_batch_counts_each_operation_of_its_changeset_for_its_partition()
    {
        const string body =
            "--batch_1\r\nContent-Type: multipart/mixed; boundary=changeset_1\r\n\r\n" +
            "--changeset_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
            "POST http://127.0.0.1:1/devstoreaccount1/items HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"PartitionKey\":\"p\",\"RowKey\":\"1\"}\r\n" +
            "--changeset_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
            "DELETE http://127.0.0.1:1/devstoreaccount1/items(PartitionKey='p',RowKey='2') HTTP/1.1\r\nIf-Match: *\r\n\r\n" +
            "--changeset_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
            "PATCH http://127.0.0.1:1/devstoreaccount1/items(PartitionKey='p',RowKey='3') HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"N\":3}\r\n" +
            "--changeset_1--\r\n--batch_1--\r\n";
        var batch = Read("POST", "/devstoreaccount1/$batch", "multipart/mixed; boundary=batch_1", body);
        Assert.Equal(new Dictionary<PartitionId, int> { [new PartitionId("items", "p")] = 3 }, batch.Charges);
    }
}
