//! The national services a desk asks before it books: who the patient is (PDS). The Directory
//! of Services and the Spine Directory Service follow (issue 20).

pub mod pds;
