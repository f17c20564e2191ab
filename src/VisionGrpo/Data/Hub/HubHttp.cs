using System.Net;
using System.Net.Http.Headers;

namespace VisionGrpo.Data.Hub;

/// <summary>
/// HTTP to the Hub: bearer token on Hub hosts only, redirects followed by hand (the token is dropped when a
/// redirect leaves the Hub's host, e.g. to the LFS CDN), and retries on 429 (honouring Retry-After) and 5xx.
/// </summary>
internal sealed class HubHttp(HttpClient client, string? token, int maxRetries = 5, TimeSpan? baseDelay = null)
{
    readonly TimeSpan _baseDelay = baseDelay ?? TimeSpan.FromSeconds(1);

    public HttpClient Client => client;

    /// <summary>Sends a request built by <paramref name="build"/>, following redirects and retrying transient failures.</summary>
    /// <returns>The final response (success or a non-retryable error; the caller checks the status).</returns>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, Action<HttpRequestMessage>? build, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead, bool followRedirects = true)
    {
        for (int attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await FollowAsync(method, url, build, completion, followRedirects, ct);
            }
            // Network errors get few retries: an unreachable Hub should fall back to the cache quickly.
            catch (HttpRequestException) when (attempt < Math.Min(maxRetries, 2))
            {
                await Task.Delay(Backoff(attempt, null), ct);
                continue;
            }
            if (attempt < maxRetries && IsRetryable(response.StatusCode))
            {
                var delay = Backoff(attempt, response.Headers.RetryAfter);
                response.Dispose();
                await Task.Delay(delay, ct);
                continue;
            }
            return response;
        }
    }

    async Task<HttpResponseMessage> FollowAsync(HttpMethod method, Uri url, Action<HttpRequestMessage>? build,
        HttpCompletionOption completion, bool followRedirects, CancellationToken ct)
    {
        Uri current = url;
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, current);
            if (token is not null && current.Host == url.Host && current.Port == url.Port)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            build?.Invoke(request);
            var response = await client.SendAsync(request, completion, ct);
            int code = (int)response.StatusCode;
            if (!followRedirects || code is < 300 or >= 400 || response.Headers.Location is null) return response;
            if (hop >= 10) throw new HubException($"too many redirects for {url}", code);
            current = response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(current, response.Headers.Location);
            response.Dispose();
        }
    }

    static bool IsRetryable(HttpStatusCode code) => code == HttpStatusCode.TooManyRequests || (int)code >= 500;

    TimeSpan Backoff(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        if (retryAfter?.Delta is { } d) return d;
        if (retryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero;
        return TimeSpan.FromMilliseconds(_baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 5)));
    }

    /// <summary>Turns an error status into a message a user can act on.</summary>
    public static HubException Error(HttpResponseMessage response, string what)
    {
        int code = (int)response.StatusCode;
        string hint = code switch
        {
            401 => "authentication failed: the repo is private or gated, or the token is invalid; set HF_TOKEN to a valid token",
            403 => "access denied: accept the repo's conditions on the Hub or use a token with access (HF_TOKEN)",
            404 => "not found: check the repo id, --repo-type and --revision",
            429 => "rate limited by the Hub (HTTP 429) after retries; wait and retry",
            >= 500 => $"the Hub returned a server error (HTTP {code}) after retries; retry later",
            _ => $"HTTP {code} {response.ReasonPhrase}",
        };
        return new HubException($"{what}: {hint}", code);
    }
}
