//! Where a token may go. A token is issued for one API, so it is sent only to the origin (scheme, host and
//! port) of the target's base URL: a `Location`, a `continuationUri` or a redirect that points anywhere else
//! is not followed at all. And a secret token never travels over plain http, except to this machine's
//! loopback (a local Fabric): an `http://` API elsewhere is refused before a token is even acquired.

use reqwest::Url;

use super::error::FabricError;

/// The origin a token was issued for: the target's base URL's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOrigin {
    origin: reqwest::Url,
}

impl TokenOrigin {
    /// The origin of the base URL `base`; refused when the token is a secret and would travel over plain
    /// http to another machine.
    pub fn of_base(base: &str, secret: bool) -> Result<TokenOrigin, FabricError> {
        let url = Url::parse(base)
            .map_err(|error| FabricError::Config(format!("the API URL `{base}` is not a URL: {error}")))?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(FabricError::Config(format!("the API URL `{base}` is not http(s)")));
        }
        if secret && url.scheme() == "http" && !is_loopback(&url) {
            return Err(FabricError::Config(format!(
                "the API {} is plain http on another machine: dfls sends a token only over https, or over \
                 http to this machine (localhost, 127.0.0.1, [::1])",
                shown_origin(&url)
            )));
        }
        Ok(TokenOrigin { origin: url })
    }

    /// Whether `url` is on this origin.
    pub fn holds(&self, url: &Url) -> bool {
        url.origin() == self.origin.origin()
    }

    /// Refuses a URL the API pointed to (`Location`, `continuationUri`) that is not on this origin, so that
    /// neither the token nor the request goes there.
    pub fn check(&self, url: &str, what: &str) -> Result<Url, FabricError> {
        let parsed = Url::parse(url)
            .map_err(|error| FabricError::Protocol(format!("{what}: `{url}` is not a URL: {error}")))?;
        if !self.holds(&parsed) {
            return Err(FabricError::Protocol(format!(
                "{what}: the API pointed to {}, another origin than {}; dfls sends its token only to the API's \
                 origin and does not follow it",
                shown_origin(&parsed),
                shown_origin(&self.origin)
            )));
        }
        Ok(parsed)
    }
}

/// Whether a URL's host is this machine's loopback.
fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `scheme://host:port` of a URL, for messages (never its path or query, which a server chose).
fn shown_origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_goes_over_http_only_to_loopback() {
        for base in [
            "http://127.0.0.1:7777/v1",
            "http://localhost:1/v1",
            "http://[::1]:2/v1",
            "https://api.example/v1",
        ] {
            assert!(TokenOrigin::of_base(base, true).is_ok(), "{base}");
        }
        for base in
            ["http://192.0.2.7:7777/v1", "http://api.fabric.microsoft.com/v1", "http://localhost.example/v1"]
        {
            let error = TokenOrigin::of_base(base, true).unwrap_err().to_string();
            assert!(error.contains("plain http on another machine"), "{base}: {error}");
            assert!(TokenOrigin::of_base(base, false).is_ok(), "a token that is no secret may: {base}");
        }
        assert!(TokenOrigin::of_base("ftp://example/v1", false).is_err());
        assert!(TokenOrigin::of_base("not a url", false).is_err());
    }

    #[test]
    fn only_the_same_origin_is_followed() {
        let origin = TokenOrigin::of_base("https://api.fabric.microsoft.com/v1", true).unwrap();
        for same in [
            "https://api.fabric.microsoft.com/v1/operations/1",
            "https://API.fabric.microsoft.com:443/operations/1",
        ] {
            assert!(origin.check(same, "x").is_ok(), "{same}");
        }
        for other in [
            "http://api.fabric.microsoft.com/v1/operations/1",
            "https://api.fabric.microsoft.com:8443/v1/operations/1",
            "https://evil.example/v1/operations/1",
            "https://api.fabric.microsoft.com.evil.example/v1",
        ] {
            let error = origin.check(other, "getDefinition").unwrap_err().to_string();
            assert!(
                error.contains("getDefinition: the API pointed to") && error.contains("another origin"),
                "{error}"
            );
            assert!(!error.contains("/operations/1"), "no path of the server's choosing: {error}");
        }
    }
}
