"""The API's routes (``reads``, ``writes``), its documentation page (``docs``) and the tokens' pages on
*Mijn account* (``account``)."""
