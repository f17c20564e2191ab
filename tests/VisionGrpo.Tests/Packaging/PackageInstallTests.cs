using System.IO.Compression;
using System.Xml.Linq;

namespace VisionGrpo.Tests.Packaging;

/// <summary>
/// VisionGrpo as a user gets it, from packages (not project references): the tool installed with
/// <c>dotnet tool install --tool-path</c> runs the built-in demo from an empty folder; a fresh console app with
/// <c>PackageReference</c>s to VisionGrpo and VisionGrpo.MathVerify builds and runs a TorchSharp op on Debian 12 (the
/// libstdc++ fix arrives as the package's buildTransitive targets) and a Math-Verify call; the <c>samples/</c> projects
/// build from the feed and train. Packs ~150 MB and trains two steps twice: opt-in (Slow); CI runs it from .ci/run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackageInstallTests(LocalFeed feed) : IClassFixture<LocalFeed>
{
    static readonly TimeSpan Minutes10 = TimeSpan.FromMinutes(10);

    [Fact]
    public void EveryPackageHasTheMetadataNuGetOrgShows()
    {
        foreach (string id in new[] { "VisionGrpo.MathVerify", "VisionGrpo", "VisionGrpo.Cli", "VisionGrpo.Cli.linux-x64" })
        {
            using var zip = ZipFile.OpenRead(feed.Package(id));
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            string Meta(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal("MIT", Meta("license"));
            Assert.StartsWith("https://", Meta("projectUrl"));
            Assert.False(string.IsNullOrWhiteSpace(Meta("description")), id);
            Assert.False(string.IsNullOrWhiteSpace(Meta("tags")), id);
            Assert.Equal("README.md", Meta("readme"));
            Assert.NotNull(zip.GetEntry("README.md"));
        }
    }

    [Fact]
    public void TheToolPackageCarriesOnlyWhatLinuxX64NeedsAndTheDemo()
    {
        using var zip = ZipFile.OpenRead(feed.Package("VisionGrpo.Cli.linux-x64"));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains(names, n => n.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("/demo/recipes/demo.yaml", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("/demo/models/visiongrpo-demo/model.safetensors", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("libtorch_python", StringComparison.Ordinal) || n.Contains("_test.so", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.EndsWith(".dll", StringComparison.Ordinal) && n.Contains("/runtimes/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.EndsWith(".dylib", StringComparison.Ordinal) || n.Contains("/runtimes/win", StringComparison.Ordinal));
        // The parity harnesses travel inside the tool only: no package of their own.
        Assert.Contains(names, n => n.EndsWith("/VisionGrpo.Parity.dll", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(feed.Feed, "VisionGrpo.Parity.*"));
    }

    /// <summary>The fixture-runner verbs of the installed tool find the parity harnesses it carries.</summary>
    [Fact]
    public void TheInstalledToolRunsTheFixtureRunnerVerbs()
    {
        string work = Path.Combine(feed.Root, "work-parity");
        string exe = InstallTool("tools-parity", work);

        File.WriteAllLines(Path.Combine(work, "rows.jsonl"), File.ReadLines(TestPaths.Fixtures("math_verify", "dev.jsonl")).Take(3));
        string math = LocalFeed.Run(work, Minutes10, exe, "math", "verify", "--input", "rows.jsonl", "--output", "math_out.jsonl");
        Assert.Contains("agreement with 'expected': 3/3", math);

        File.WriteAllLines(Path.Combine(work, "records.jsonl"), File.ReadLines(TestPaths.Fixtures("grpo", "cases_dev.jsonl")).Take(1));
        LocalFeed.Run(work, Minutes10, exe, "grpo", "compute", "--input", "records.jsonl", "--output", "grpo_out.jsonl");
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadLines(Path.Combine(work, "grpo_out.jsonl")).Single())!;
        Assert.Null(record["error"]);
        Assert.NotEmpty(record["outputs"]!["advantages"]!.AsArray());
    }

    /// <summary>Installs the tool from the feed into <c>Root/toolPath</c>, from an empty <paramref name="work"/> folder; returns the command.</summary>
    string InstallTool(string toolPath, string work)
    {
        string tools = Path.Combine(feed.Root, toolPath);
        Directory.CreateDirectory(work);
        LocalFeed.Run(work, Minutes10, "dotnet", "tool", "install", "VisionGrpo.Cli", "--version", feed.Version,
            "--tool-path", tools, "--add-source", feed.Feed);
        return Path.Combine(tools, "visiongrpo");
    }

    [Fact]
    public void TheInstalledToolRunsTheDemoFromAnyFolder()
    {
        string work = Path.Combine(feed.Root, "work");
        string exe = InstallTool("tools", work);
        Assert.Contains("visiongrpo [command]", LocalFeed.Run(work, Minutes10, exe, "--help"));
        string stdout = LocalFeed.Run(work, Minutes10, exe, "train", "--set", "max_steps=2", "--set", "before_after_eval=false", "--logging_steps", "1");

        Assert.Contains("# the built-in demo", stdout);
        Assert.Contains("max_steps: 2", stdout);
        var logs = stdout.Split('\n').Where(l => l.StartsWith("{'loss': ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logs.Count);
        Assert.All(logs, l => Assert.EndsWith("}", l.TrimEnd('\r')));
        Assert.True(File.Exists(Path.Combine(work, "out", "demo", "adapter_model.safetensors")), stdout);
    }

    [Fact]
    public void TheCustomRewardSampleTrainsFromThePackages()
    {
        // The sample as a user copies it: its project and code in a folder of their own, the packages from a feed.
        string sample = Path.Combine(feed.Root, "CustomReward"), output = Path.Combine(feed.Root, "custom-reward-out");
        Directory.CreateDirectory(sample);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "samples", "CustomReward"))
                     .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
        WriteNuGetConfig(sample);
        LocalFeed.Run(sample, Minutes10, "dotnet", "build", "-nologo", $"-p:VisionGrpoVersion={feed.Version}");

        string demoModel = Path.Combine(TestPaths.RepoRoot, "models", "visiongrpo-demo");
        string stdout = LocalFeed.Run(sample, Minutes10, Path.Combine(sample, "bin", "Debug", "net10.0", "CustomReward"), demoModel, output);

        var steps = stdout.Split('\n').Where(l => l.StartsWith("loss: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, l => Assert.Contains("rewards/count/mean: ", l));
        Assert.All(steps, l => Assert.Contains("rewards/format_reward/mean: ", l));
        Assert.Contains("train_runtime: ", stdout);
        Assert.True(File.Exists(Path.Combine(output, "adapter_model.safetensors")), stdout);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Count(l => l.Contains("\"rewards/count/mean\"", StringComparison.Ordinal)));
    }

    // A nuget.config that restores the packages from the test feed and their dependencies from nuget.org.
    void WriteNuGetConfig(string folder) => File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{feed.Feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
        </configuration>
        """);

    [Fact]
    public void AFreshConsoleAppRunsFromThePackagesAlone()
    {
        string app = Path.Combine(feed.Root, "app");
        Directory.CreateDirectory(app);
        WriteNuGetConfig(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="VisionGrpo" Version="{feed.Version}" />
                <PackageReference Include="VisionGrpo.MathVerify" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using TorchSharp;
            using VisionGrpo.MathVerify;
            using VisionGrpo.Recipes;

            var x = torch.arange(1, 5, dtype: torch.float32).reshape(2, 2);
            Console.WriteLine($"sum={x.matmul(x).sum().item<float>()}");
            Console.WriteLine($"verify={MathVerifier.Verify(MathVerifier.Parse("$\\frac{1}{2}$"), MathVerifier.Parse("The answer is \\boxed{0.5}"))}");
            Console.WriteLine($"lr={RecipeLoader.Load(null, ["learning_rate=1e-4"]).LearningRate}");
            """);

        LocalFeed.Run(app, Minutes10, "dotnet", "build", "-nologo");
        string bin = Path.Combine(app, "bin", "Debug", "net10.0");
        string stdout = LocalFeed.Run(app, Minutes10, Path.Combine(bin, "App"));

        Assert.Contains("sum=54", stdout);          // [[1,2],[3,4]]² = [[7,10],[15,22]]
        Assert.Contains("verify=True", stdout);
        Assert.Contains("lr=0.0001", stdout);
        Assert.Empty(Directory.EnumerateFiles(bin, "libtorch_python.so", SearchOption.AllDirectories));   // trimmed by the package's targets
    }
}
