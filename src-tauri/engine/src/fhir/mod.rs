//! FHIR wire types. GP Connect and UEC Booking speak STU3; BaRS speaks R4.
//!
//! Read tolerantly, write strictly: readers accept the shapes real providers
//! send (unknown elements, a single object where an array belongs, an array
//! where one value belongs); writers emit what the specification says.

pub mod index;
pub mod r4;
pub mod stu3;

mod serde_helpers;
