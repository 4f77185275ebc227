// Where a one-time code by SMS can go: the user's number and country code as partners send them
// (each in any common spelling), as one E.164 number that a phone network could reach.
// (Claims keep the number as the partner sent it: src/oidc/claims.ts.)
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

/**
 * `+919876543210` from `"98765 43210"` and `"+91"` (or `"91"`), or null when the two do not make
 * a possible number (too short or long for its country).
 */
export function reachablePhone(number: string | null, countryCode: string | null): string | null {
  if (!number) return null;
  const code = (countryCode ?? "").replace(/^\+/, "");
  const text = code && !number.trim().startsWith("+") ? `+${code} ${number}` : number;
  const phone = parsePhoneNumberFromString(text);
  return phone?.isPossible() ? phone.number : null;
}
