//! The national services a desk asks before it books: who the patient is (PDS), which services
//! suit the patient's need (the Directory of Services) and where each one's booking endpoint is
//! (the Spine Directory Service).

pub mod bank_holidays;
mod bars_catalogue;
pub mod disposition;
pub mod dos;
pub mod find;
pub mod pds;
pub mod sds;
pub(crate) mod xml;

pub use find::Found;
