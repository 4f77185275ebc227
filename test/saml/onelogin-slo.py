# The SP side for test/saml/onelogin-logout.test.ts: Debian's python3-onelogin-saml2 (on xmlsec1)
# as a service provider whose endpoints are its own site's `/?acs` and `/?sls`, as its demos
# have them, strict and wanting every message signed. One step a run, fed JSON on stdin, answering
# JSON: `login` makes its signed AuthnRequest (a URL at the IdP); `acs` checks the Response the
# IdP posted (the NameID and SessionIndex it was given); `sls` takes the IdP's LogoutRequest by
# HTTP-Redirect with process_slo() and answers its redirect with a signed LogoutResponse, and the
# NameID and SessionIndexes the request named. A refusal is answered as {"errors", "reason"}.
import json
import sys
from urllib.parse import parse_qsl, urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request

given = json.load(sys.stdin)
site = urlsplit(given["sp_base"])
settings = {
    "strict": True,
    "sp": {
        "entityId": given["sp_base"] + "/metadata/",
        "assertionConsumerService": {
            "url": given["sp_base"] + "/?acs",
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
        },
        "singleLogoutService": {
            "url": given["sp_base"] + "/?sls",
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        },
        "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_PERSISTENT,
        "x509cert": given["sp_certificate"],
        "privateKey": given["sp_private_key"],
    },
    "idp": {
        "entityId": given["idp_base"] + "/saml/metadata",
        "singleSignOnService": {
            "url": given["idp_base"] + "/saml/sso",
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        },
        "singleLogoutService": {
            "url": given["idp_base"] + "/saml/slo",
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        },
        "x509cert": given["idp_certificate"],
    },
    "security": {
        "authnRequestsSigned": True,
        "logoutRequestSigned": True,
        "logoutResponseSigned": True,
        "wantMessagesSigned": True,
        "wantAssertionsSigned": True,
        "signatureAlgorithm": OneLogin_Saml2_Constants.RSA_SHA256,
        "digestAlgorithm": OneLogin_Saml2_Constants.SHA256,
        "rejectDeprecatedAlgorithm": True,
    },
}

# The request as a web framework hands it over (the python3-saml demos' prepare_*_request).
url = urlsplit(given.get("url", given["sp_base"] + "/"))
request = {
    "https": "on" if site.scheme == "https" else "off",
    "http_host": site.netloc,
    "script_name": url.path,
    "get_data": dict(parse_qsl(url.query, keep_blank_values=True)),
    "post_data": given.get("post_data", {}),
}
auth = OneLogin_Saml2_Auth(request, settings)


def refused():
    print(json.dumps({"errors": auth.get_errors(), "reason": auth.get_last_error_reason()}))


step = given["step"]
if step == "login":
    location = auth.login(return_to=given["sp_base"] + "/")
    print(json.dumps({"url": location, "request_id": auth.get_last_request_id()}))
elif step == "acs":
    auth.process_response(request_id=given["request_id"])
    if auth.get_errors():
        refused()
    else:
        print(
            json.dumps({"name_id": auth.get_nameid(), "session_index": auth.get_session_index()})
        )
elif step == "sls":
    dropped = []
    location = auth.process_slo(delete_session_cb=lambda: dropped.append(True))
    if auth.get_errors():
        refused()
    else:
        xml = auth.get_last_request_xml()
        print(
            json.dumps(
                {
                    "url": location,
                    "session_dropped": dropped == [True],
                    "name_id": OneLogin_Saml2_Logout_Request.get_nameid(xml),
                    "session_indexes": OneLogin_Saml2_Logout_Request.get_session_indexes(xml),
                }
            )
        )
else:
    sys.exit("unknown step " + step)
