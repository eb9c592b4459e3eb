"""The sandbox: a small identity server and a demo API inside the app, on 127.0.0.1, so a
newcomer can try both stages (get a token, call an API) without an account or a network.
It is a teaching aid, labelled as such everywhere it shows. No Qt here."""
