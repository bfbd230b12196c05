/* PLACEHOLDER: the CLI owner replaces this file. */
int
main(void)
{
	return 2;
}
