//! UEC Appointment Booking: slot search, book (idempotent by X-Request-ID), read and cancel.

mod book;
mod cancel;
mod patient;
mod slot_search;
mod validate;

use crate::auth::header;
use crate::capability;
use crate::handler::{Ctx, Reply, read_appointment};
use crate::json_util::is_uuid;
use crate::outcome::FhirError;
use crate::routes::Op;

pub fn handle(ctx: &Ctx<'_>, op: &Op) -> Result<Reply, FhirError> {
    match op {
        Op::Metadata => Ok(Reply::ok(capability::statement(ctx.service))),
        Op::SearchSlots => slot_search::search(ctx),
        Op::Book => book::book(ctx),
        Op::Read(id) => read_appointment(ctx, id),
        Op::Cancel(id) => cancel::cancel(ctx, id),
        // The route table never sends other operations here.
        _ => Err(FhirError::not_implemented(
            "This interaction is not part of UEC Booking",
        )),
    }
}

/// The X-Request-ID every UEC POST and PUT must carry.
pub fn request_id<'a>(ctx: &'a Ctx<'_>) -> Result<&'a str, FhirError> {
    match header(ctx.headers, "X-Request-ID")? {
        Some(v) if is_uuid(v) => Ok(v),
        Some(_) => Err(FhirError::invalid_header("X-Request-ID must be a UUID")),
        None => Err(FhirError::invalid_header(
            "The X-Request-ID header is required",
        )),
    }
}
