using Buildx.Core.BuildKit.Protocol.Fsutil;
using Buildx.Core.Session.FileSend;
using Buildx.Core.Session.Grpc;
using Grpc.Core;
using static Buildx.Core.Tests.Session.FileSend.FileSendHarness;
using Buildx.Core.Session;

namespace Buildx.Core.Tests.Session.FileSend;

public class ExportPathRulesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a/b.c/d")]
    [InlineData("..a/b..")]
    [InlineData("system-systemd\\x2dfsck.slice")]
    [InlineData("CON")]
    [InlineData("a:b")]
    public void Unix_accepts_clean_relative_names(string path) =>
        Assert.Null(ExportPathRules.Check(path, windowsRules: false));

    [Theory]
    [InlineData("..\\..\\escaped", true)]
    [InlineData("a\\b", true)]
    [InlineData("C:escaped", true)]
    [InlineData("file.txt:stream", true)]
    [InlineData("CON", true)]
    [InlineData("sub/nul.txt", true)]
    [InlineData("com1", true)]
    [InlineData(".. ", true)]
    [InlineData("name.", true)]
    [InlineData("a|b", false)]
    [InlineData("a?b", false)]
    [InlineData("tab\there", false)]
    public void Windows_refuses_names_win32_would_reinterpret(string path, bool escapes)
    {
        var violation = ExportPathRules.Check(path, windowsRules: true);

        Assert.NotNull(violation);
        Assert.Equal(escapes, violation.Escapes);
    }

    [Theory]
    [InlineData("normal/name.txt")]
    [InlineData("CONSOLE")]
    [InlineData("x.y.z")]
    public void Windows_accepts_ordinary_names(string path) =>
        Assert.Null(ExportPathRules.Check(path, windowsRules: true));

    [Fact]
    public void Windows_rules_refuse_a_backslash_escape_in_a_stream()
    {
        var validator = new ExportEntryValidator(windowsRules: true);

        var error = Assert.Throws<GrpcStatusException>(() => validator.Accept(File("..\\..\\escaped", "x").ToStat()));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("..\\\\..\\\\escaped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_follows_go_byte_order_not_utf16_order()
    {
        var validator = new ExportEntryValidator(windowsRules: false);

        // U+FF21 sorts before U+1F600 in UTF-8 although its UTF-16 code unit is larger.
        validator.Accept(new Stat { Path = "\uFF21", Mode = 0x1A4 });
        validator.Accept(new Stat { Path = "\U0001F600", Mode = 0x1A4 });
    }

    [Fact]
    public void Go_mode_bits_map_to_unix_modes()
    {
        Assert.Equal((UnixFileMode)Octal("755"), GoFileMode.ToUnixFileMode(GoFileMode.Directory | Octal("755")));
        Assert.Equal((UnixFileMode)Octal("7777"), GoFileMode.ToUnixFileMode(GoFileMode.Setuid | GoFileMode.Setgid | GoFileMode.Sticky | Octal("777")));
        Assert.True(GoFileMode.CanRequestData(Octal("644")));
        Assert.False(GoFileMode.CanRequestData(GoFileMode.NamedPipe | Octal("644")));
    }
}
