/* stdio.h first: editline's readline.h uses FILE without including it.
   <editline/readline.h>, not <readline/readline.h>: liblua5.4-dev pulls in
   GNU readline's headers, and GNU readline is GPL. */
#include <stdio.h>
#include <editline/readline.h>
