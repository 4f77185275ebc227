# The SP side for test/saml/encryption.test.ts: Debian's python3-onelogin-saml2 (on xmlsec1)
# validates a posted Response, decrypting its assertion; prints who signed in, as JSON.
import json
import sys

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

given = json.load(sys.stdin)
settings = OneLogin_Saml2_Settings(
    {
        "strict": True,
        "sp": {
            "entityId": given["sp_entity_id"],
            "assertionConsumerService": {
                "url": given["acs_url"],
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            },
            "NameIDFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "x509cert": given["sp_certificate"],
            "privateKey": given["sp_private_key"],
        },
        "idp": {
            "entityId": given["idp_entity_id"],
            "singleSignOnService": {
                "url": given["idp_sso_url"],
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
            },
            "x509cert": given["idp_certificate"],
        },
        "security": {
            "wantAssertionsEncrypted": True,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": True,
        },
    },
)
host = given["acs_url"].split("/")[2]
path = "/" + given["acs_url"].split("/", 3)[3]
request = {"https": "on", "http_host": host, "script_name": path, "server_port": "443"}
try:
    # The constructor decrypts the assertion; is_valid checks signatures, audience, times.
    response = OneLogin_Saml2_Response(settings, given["saml_response"])
    response.is_valid(request, raise_exceptions=True)
except Exception as error:  # noqa: BLE001 - the test reads the reason
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
print(json.dumps({"name_id": response.get_nameid(), "attributes": response.get_attributes()}))
