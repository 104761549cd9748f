//! FHIR wire types. GP Connect and UEC Booking speak STU3; BaRS (R4) will
//! get a sibling module.
//!
//! Read tolerantly, write strictly: readers accept the shapes real providers
//! send (unknown elements, a single object where an array belongs, an array
//! where one value belongs); writers emit what the specification says.

pub mod r4;
pub mod stu3;

mod serde_helpers;
