"""The API's routes (``reads``; writes are to come), its documentation page (``docs``) and the tokens' pages on
*Mijn account* (``account``)."""
