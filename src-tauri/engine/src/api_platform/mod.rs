//! The national API platform's OAuth2 client-credentials flow (BaRS, PDS, the BaRS endpoint
//! catalogue): an access [`token`] bought with a signed [`client_assertion`] and kept until it
//! nears expiry. Below the transport, which carries the token, and above only the configuration
//! and the keyring.

pub mod client_assertion;
pub mod token;
